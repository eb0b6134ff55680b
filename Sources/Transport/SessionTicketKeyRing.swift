import Locking
import Synchronization

/// The session ticket keys a server context uses, replaceable at any time
/// from any thread (OpenSSL asks for them on whichever loop runs a handshake).
/// The first key encrypts new tickets; every key decrypts. At most
/// `keysMaximum` are kept: older ones are dropped, and tickets under them
/// fall back to a full handshake.
public final class SessionTicketKeyRing: Sendable {
    public static let keysMaximum = 4

    private let state: Locked<[SessionTicketKey]>
    private let installs = Atomic<UInt64>(0)

    public init(_ keys: [SessionTicketKey] = []) {
        state = Locked(Array(keys.prefix(Self.keysMaximum)))
    }

    /// Replaces the keys, newest first; keys past `keysMaximum` are dropped.
    public func install(_ keys: [SessionTicketKey]) {
        let kept = Array(keys.prefix(Self.keysMaximum))
        state.withLock { $0 = kept }
        installs.wrappingAdd(1, ordering: .releasing)
    }

    /// Counts `install` calls: a holder of a connection compares it with the
    /// count it last saw to learn, without the lock, that the keys changed.
    public var generation: UInt64 { installs.load(ordering: .acquiring) }

    /// The installed keys, newest first.
    public var keys: [SessionTicketKey] { state.withLock { $0 } }

    /// The key new tickets are encrypted with; nil when the ring is empty.
    var encryptionKey: SessionTicketKey? { state.withLock { $0.first } }

    /// The key named `name`, and whether it is the newest (a ticket under an
    /// older key is renewed under the newest).
    func decryptionKey(named name: UnsafeBufferPointer<UInt8>) -> (key: SessionTicketKey, isNewest: Bool)? {
        state.withLock { keys in
            guard let index = keys.firstIndex(where: { $0.name.elementsEqual(name) }) else { return nil }
            return (keys[index], index == 0)
        }
    }
}
