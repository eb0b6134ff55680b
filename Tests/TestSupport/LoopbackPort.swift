import Glibc
import Locking

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

        /// A port below the system's ephemeral range (`ip_local_port_range`), which no port-0
        /// bind of another test can be given: for a process that binds it long after the
        /// reservation (a module started after an unpack), while tests beside it open listeners
        /// on other addresses that a reservation on 127.0.0.1 does not keep off (a dual-stack
        /// `[::]` one with SO_REUSEADDR, say). Nil when none of a few hundred random tries binds.
        public init?(belowEphemeralRange: Void) {
            let ceiling = min(LoopbackPort.ephemeralRangeStart(), 32_768)
            for _ in 0..<400 {
                let candidate = UInt16.random(in: 10_000..<UInt16(ceiling))
                // Two reservations with SO_REUSEADDR may share a port; this process hands each out once.
                guard LoopbackPort.handedOut.withLock({ $0.insert(candidate).inserted }) else { continue }
                let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
                var one: Int32 = 1
                setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
                var address = sockaddr_in()
                address.sin_family = sa_family_t(AF_INET)
                address.sin_addr.s_addr = inet_addr("127.0.0.1")
                address.sin_port = candidate.bigEndian
                let bound = withUnsafePointer(to: &address) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        Glibc.bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
                    }
                }
                if bound {
                    self.descriptor = descriptor
                    self.port = candidate
                    return
                }
                close(descriptor)
            }
            return nil
        }

        public func release() { close(descriptor) }
    }

    /// The ports below the ephemeral range this test process has reserved.
    static let handedOut = Locked<Set<UInt16>>([])

    /// The first port of the range the kernel hands out for port 0 (32768 when it cannot be read).
    static func ephemeralRangeStart() -> Int {
        guard let file = fopen("/proc/sys/net/ipv4/ip_local_port_range", "r") else { return 32_768 }
        defer { fclose(file) }
        var low: Int32 = 0, high: Int32 = 0
        return withUnsafeMutablePointer(to: &low) { lowPointer in
            withUnsafeMutablePointer(to: &high) { highPointer in
                withVaList([lowPointer, highPointer]) { vfscanf(file, "%d %d", $0) } == 2 ? Int(lowPointer.pointee) : 32_768
            }
        }
    }
}
