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
}
