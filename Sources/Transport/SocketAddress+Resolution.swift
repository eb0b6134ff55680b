import CLinux
import Glibc
import Primitives

/// Host names to addresses, through the system's resolver.
extension SocketAddress {
    /// The first IPv4 or IPv6 address `host` names (a numeric host is its own answer), or why
    /// there is none. It blocks the calling thread for as long as the resolver takes.
    public static func resolving(_ host: String, port: UInt16) -> Result<SocketAddress, ResolutionFailure> {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_NUMERICSERV
        var list: UnsafeMutablePointer<addrinfo>?
        let code = getaddrinfo(host, "\(port)", &hints, &list)
        guard code == 0 else {
            // EAI_SYSTEM's own words are only "System error": errno says which.
            let system = code == EAI_SYSTEM ? ": " + String(cString: strerror(errno)) : ""
            return .failure(ResolutionFailure(host: host, detail: String(cString: gai_strerror(code)) + system))
        }
        defer { freeaddrinfo(list) }
        var entry = list
        while let current = entry {
            if let address = current.pointee.ai_addr, [AF_INET, AF_INET6].contains(current.pointee.ai_family) {
                var storage = sockaddr_storage()
                withUnsafeMutableBytes(of: &storage) { target in
                    target.copyMemory(from: UnsafeRawBufferPointer(start: address, count: min(Int(current.pointee.ai_addrlen),
                                                                                              target.count)))
                }
                if let found = from(storage: storage) { return .success(found) }
            }
            entry = current.pointee.ai_next
        }
        return .failure(ResolutionFailure(host: host, detail: "no IPv4 or IPv6 address"))
    }
}

/// Why a host name gave no address: the host and the resolver's words.
public struct ResolutionFailure: Error, Equatable, CustomStringConvertible {
    public let host: String
    public let detail: String

    public var description: String { "\(host) did not resolve: \(detail)" }
}
