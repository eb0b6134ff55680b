import CLinux
import Glibc
import Primitives

/// Thin, error-checked wrappers over the socket calls Transport makes.
/// Every descriptor is non-blocking and close-on-exec.
enum Socket {
    static let listenBacklog: Int32 = 4096

    static func makeListener(_ address: SocketAddress, reusePort: Bool) throws(TransportError) -> Int32 {
        let descriptor = socket(address.family,
                                Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw .lastSystemError("socket") }
        setOption(descriptor, SOL_SOCKET, SO_REUSEADDR, 1)
        if reusePort { setOption(descriptor, SOL_SOCKET, SO_REUSEPORT, 1) }
        let bound = address.withSocketAddress { bind(descriptor, $0, $1) }
        guard bound == 0 else {
            let error = TransportError.lastSystemError("bind \(address)")
            close(descriptor)
            throw error
        }
        guard listen(descriptor, listenBacklog) == 0 else {
            let error = TransportError.lastSystemError("listen \(address)")
            close(descriptor)
            throw error
        }
        return descriptor
    }

    /// Accepts one pending connection; nil when none is waiting.
    static func accept(_ listener: Int32) throws(TransportError) -> (Int32, SocketAddress?)? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let descriptor = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                hs_accept4(listener, $0, &length, Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue))
            }
        }
        if descriptor >= 0 {
            setOption(descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, 1)
            return (descriptor, SocketAddress.from(storage: storage))
        }
        switch errno {
        case EAGAIN, EWOULDBLOCK, EINTR, ECONNABORTED: return nil
        default: throw .lastSystemError("accept4")
        }
    }

    /// Starts a non-blocking connect; completion is signalled by writability.
    static func startConnect(_ address: SocketAddress) throws(TransportError) -> Int32 {
        let descriptor = socket(address.family,
                                Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw .lastSystemError("socket") }
        setOption(descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, 1)
        let result = address.withSocketAddress { connect(descriptor, $0, $1) }
        if result != 0 && errno != EINPROGRESS {
            let error = TransportError.lastSystemError("connect \(address)")
            close(descriptor)
            throw error
        }
        return descriptor
    }

    static func pendingError(_ descriptor: Int32) -> Int32 {
        var value: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        getsockopt(descriptor, SOL_SOCKET, SO_ERROR, &value, &length)
        return value
    }

    static func localAddress(_ descriptor: Int32) -> SocketAddress? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let result = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        return result == 0 ? SocketAddress.from(storage: storage) : nil
    }

    static func setOption(_ descriptor: Int32, _ level: Int32, _ name: Int32, _ value: Int32) {
        var value = value
        setsockopt(descriptor, level, name, &value, socklen_t(MemoryLayout<Int32>.size))
    }
}
