import Glibc

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
    /// kernel may give them a port a listener just closed. A socket bound with
    /// SO_REUSEADDR that never listens does that, and is no listener:
    /// endpoints (SO_REUSEADDR too) still bind and listen beside it.
    public struct Reservation {
        public let port: UInt16
        private let descriptor: Int32

        /// Nil when no port could be bound.
        public init?() {
            let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            var one: Int32 = 1
            setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
            guard let port = LoopbackPort.bind(descriptor) else {
                close(descriptor)
                return nil
            }
            self.descriptor = descriptor
            self.port = port
        }

        public func release() { close(descriptor) }
    }
}
