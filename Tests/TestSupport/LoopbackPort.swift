import Glibc
import Locking
import Transport

/// Binding test sockets to 127.0.0.1, one way for every suite.
public enum LoopbackPort {
    /// Binds `descriptor` to 127.0.0.1:0 (the system picks the port) and
    /// returns the port, or nil when binding fails.
    public static func bind(_ descriptor: Int32) -> UInt16? {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.bind(descriptor, $0, length) == 0 && getsockname(descriptor, $0, &length) == 0
            }
        }
        return bound ? UInt16(bigEndian: address.sin_port) : nil
    }

    /// A port that was free a moment ago, with nothing listening on it now.
    public static func vacant() -> UInt16? {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        return bind(descriptor)
    }

    /// Keeps a loopback port from being handed out while a test uses it:
    /// tests running beside it open connections and port-0 listeners, and the
    /// kernel may give them a port a listener just closed. It holds a
    /// `PortReservation` (Transport): a bound socket that never listens, so
    /// endpoints (SO_REUSEADDR too) still bind and listen beside it.
    public struct Reservation {
        public let port: UInt16
        private let held: PortReservation

        /// Nil when no port could be bound.
        public init?() {
            guard let held = PortReservation(port: 0) else { return nil }
            self.held = held
            self.port = held.port
        }

        /// A port below the system's ephemeral range, which no port-0 bind of another test can be
        /// given: for a process that binds it long after the reservation (a module started after
        /// an unpack), while tests beside it open listeners on other addresses. Each is handed out
        /// once per test process. Nil when none of a few hundred random tries binds.
        public init?(belowEphemeralRange: Void) {
            let claim = { (port: UInt16) in LoopbackPort.handedOut.withLock { $0.insert(port).inserted } }
            guard let held = PortReservation.belowEphemeralRange(claiming: claim) else { return nil }
            self.held = held
            self.port = held.port
        }

        public func release() { held.release() }
    }

    /// The ports below the ephemeral range this test process has reserved.
    static let handedOut = Locked<Set<UInt16>>([])
}
