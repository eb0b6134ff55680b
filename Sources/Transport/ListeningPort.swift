import Glibc
import Primitives

/// Whether another listener already holds an address. Endpoints bind one
/// socket per loop with SO_REUSEPORT, and the kernel lets any process of the
/// same user join such a group: without this check a second coordinator on a
/// taken port would start and silently take a share of its connections.
public enum ListeningPort {
    /// True when a socket with SO_REUSEADDR (a TIME_WAIT leftover is no
    /// obstacle) but without SO_REUSEPORT can bind `address` now, which any
    /// listener already there refuses.
    public static func isFree(_ address: SocketAddress) -> Bool {
        let descriptor = socket(address.family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        Socket.setOption(descriptor, SOL_SOCKET, SO_REUSEADDR, 1)
        return address.withSocketAddress { bind(descriptor, $0, $1) } == 0
    }
}
