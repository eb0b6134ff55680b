import CLinux
import Glibc
import Primitives

/// Host names to addresses, through the system's resolver.
extension SocketAddress {
    /// The addresses of a name past this many are not looked at.
    public static let resolvedAddressesMaximum = 16

    /// The first IPv4 or IPv6 address `host` names (a numeric host is its own answer), or why
    /// there is none. It blocks the calling thread for as long as the resolver takes.
    public static func resolving(_ host: String, port: UInt16) -> Result<SocketAddress, ResolutionFailure> {
        resolvingAll(host, port: port).map { found in found[0] }
    }

    /// Every IPv4 and IPv6 address `host` names, in the resolver's order (at most
    /// `resolvedAddressesMaximum`, never none), or why there is none. It blocks the calling thread
    /// for as long as the resolver takes. A dialer that may wait tries them in order (`localhost`
    /// often gives `::1` first while a server listens on `127.0.0.1` only).
    public static func resolvingAll(_ host: String, port: UInt16) -> Result<[SocketAddress], ResolutionFailure> {
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
        var found: [SocketAddress] = []
        var entry = list
        while let current = entry, found.count < resolvedAddressesMaximum {
            if let address = current.pointee.ai_addr, [AF_INET, AF_INET6].contains(current.pointee.ai_family) {
                var storage = sockaddr_storage()
                withUnsafeMutableBytes(of: &storage) { target in
                    target.copyMemory(from: UnsafeRawBufferPointer(start: address, count: min(Int(current.pointee.ai_addrlen),
                                                                                              target.count)))
                }
                if let address = from(storage: storage) { found.append(address) }
            }
            entry = current.pointee.ai_next
        }
        guard !found.isEmpty else { return .failure(ResolutionFailure(host: host, detail: "no IPv4 or IPv6 address")) }
        return .success(found)
    }
}

/// Why a host name gave no address: the host and the resolver's words.
public struct ResolutionFailure: Error, Equatable, Sendable, CustomStringConvertible {
    public let host: String
    public let detail: String

    public init(host: String, detail: String) {
        self.host = host
        self.detail = detail
    }

    public var description: String { "\(host) did not resolve: \(detail)" }
}
