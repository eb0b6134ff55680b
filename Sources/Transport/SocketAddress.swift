import CLinux
import Glibc
import Primitives

/// The `sockaddr` side of `SocketAddress`: what the socket calls take and give.
extension SocketAddress {
    /// Calls `body` with this address as a `sockaddr` and its length.
    public func withSocketAddress<Result>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> Result) -> Result {
        if family == AF_INET {
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = port.bigEndian
            inet_pton(AF_INET, host, &address.sin_addr)
            return withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
        }
        var address = sockaddr_in6()
        address.sin6_family = sa_family_t(AF_INET6)
        address.sin6_port = port.bigEndian
        inet_pton(AF_INET6, host, &address.sin6_addr)
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_in6>.size)) }
        }
    }

    /// Reads the address from a `sockaddr_storage` filled by accept or getsockname.
    static func from(storage: sockaddr_storage) -> SocketAddress? {
        var storage = storage
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        if Int32(storage.ss_family) == AF_INET {
            return withUnsafePointer(to: &storage) { pointer in
                pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { address in
                    var inAddress = address.pointee.sin_addr
                    inet_ntop(AF_INET, &inAddress, &buffer, socklen_t(buffer.count))
                    return numeric(buffer, port: UInt16(bigEndian: address.pointee.sin_port))
                }
            }
        }
        if Int32(storage.ss_family) == AF_INET6 {
            return withUnsafePointer(to: &storage) { pointer in
                pointer.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { address in
                    var inAddress = address.pointee.sin6_addr
                    inet_ntop(AF_INET6, &inAddress, &buffer, socklen_t(buffer.count))
                    return numeric(buffer, port: UInt16(bigEndian: address.pointee.sin6_port))
                }
            }
        }
        return nil
    }

    /// The address `inet_ntop` wrote. The kernel's text is always numeric, so a refusal is a
    /// bug in `NumericAddress`: it fails the debug build, and the release build treats the
    /// address as unknown, as it would an unknown family.
    private static func numeric(_ buffer: [CChar], port: UInt16) -> SocketAddress? {
        let host = String(nulTerminated: buffer)
        do {
            return try SocketAddress(host: host, port: port)
        } catch {
            assertionFailure("inet_ntop wrote \(host), which SocketAddress refuses: \(error)")
            return nil
        }
    }
}
