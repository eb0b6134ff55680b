import Wire

/// A key of the API's token-signing key ring (HS256), replicated so that every
/// coordinator verifies every token. The newest key signs; older ones verify
/// until `retiresAtMilliseconds` (Docs/ACCESS.md). Secret: its description
/// shows the id only, and the API never returns the secret.
public struct SigningKeyRecord: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    public static let idBytes = 8
    public static let secretBytes = 32

    /// The token header's `kid`, as 16 lowercase hex digits.
    public let id: [UInt8]
    public let secret: [UInt8]
    /// The acting leader's wall clock when it made the key.
    public let createdAtMilliseconds: UInt64
    /// After this the key verifies nothing; nil while it is the signer or has no end yet.
    public var retiresAtMilliseconds: UInt64?

    public init(id: [UInt8], secret: [UInt8], createdAtMilliseconds: UInt64, retiresAtMilliseconds: UInt64? = nil) {
        self.id = id
        self.secret = secret
        self.createdAtMilliseconds = createdAtMilliseconds
        self.retiresAtMilliseconds = retiresAtMilliseconds
    }

    public var idHex: String { HexText.lowercase(id) }

    public var description: String { "signing key \(idHex) (made at \(createdAtMilliseconds) ms)" }
    public var debugDescription: String { description }
}
