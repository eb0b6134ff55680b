import Wire

/// A key the coordinators share to seal TLS session tickets on their agent
/// ports, so that a ticket an agent got from one leader resumes on the next
/// one (no full handshake after a failover). Replicated like everything
/// else, so every coordinator holds the same keys. Secret: its description
/// shows the name only, and the API never returns it.
public struct TicketKeyRecord: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    public static let nameBytes = 16
    public static let secretBytes = 64

    /// Identifies the key inside each ticket it sealed.
    public let name: [UInt8]
    /// Cipher and MAC key material, in the order the transport uses them.
    public let secret: [UInt8]
    /// Wall-clock time the leader made it; rotation is judged against it.
    public let createdAtMilliseconds: UInt64

    public init(name: [UInt8], secret: [UInt8], createdAtMilliseconds: UInt64) {
        self.name = name
        self.secret = secret
        self.createdAtMilliseconds = createdAtMilliseconds
    }

    var isWellFormed: Bool { name.count == Self.nameBytes && secret.count == Self.secretBytes }

    public var nameHex: String { HexText.lowercase(name) }

    public var description: String { "ticket key \(nameHex) (made at \(createdAtMilliseconds) ms)" }
    public var debugDescription: String { description }
}
