import Glibc

/// A module's plain-HTTP health endpoint, `http://HOST:PORT/PATH` with a
/// numeric IPv4 or `[IPv6]` host or `localhost` (the agent probes processes
/// on its own host; no name resolution, no TLS). Port 80 when omitted,
/// path `/` when omitted.
public struct HealthEndpoint: Sendable, Equatable, CustomStringConvertible {
    /// Numeric, without brackets.
    public let host: String
    public let port: UInt16
    /// Starts with `/`; sent as the request target.
    public let path: String
    let family: Int32

    public init(parsing url: String) throws(AgentConfigurationError) {
        let scheme = "http://"
        guard url.hasPrefix(scheme) else { throw .invalid("health URL '\(url)' must start with http://") }
        let rest = url.dropFirst(scheme.count)
        let authority = rest.prefix { $0 != "/" }
        let path = String(rest.dropFirst(authority.count))
        var host = String(authority)
        var port: UInt16 = 80
        if let bracketEnd = authority.lastIndex(of: "]") {
            guard authority.hasPrefix("[") else { throw .invalid("health URL '\(url)' has a malformed [IPv6] host") }
            host = String(authority[authority.index(after: authority.startIndex)..<bracketEnd])
            let after = authority[authority.index(after: bracketEnd)...]
            if !after.isEmpty { port = try Self.port(after, url: url) }
        } else if let colon = authority.lastIndex(of: ":") {
            host = String(authority[..<colon])
            port = try Self.port(authority[colon...], url: url)
        }
        if host == "localhost" { host = "127.0.0.1" }
        guard path.isEmpty || path.allSatisfy({ $0.isASCII && !$0.isWhitespace }) else {
            throw .invalid("health URL '\(url)': the path must be ASCII without spaces")
        }
        var probe4 = in_addr()
        var probe6 = in6_addr()
        if inet_pton(AF_INET, host, &probe4) == 1 {
            family = AF_INET
        } else if inet_pton(AF_INET6, host, &probe6) == 1 {
            family = AF_INET6
        } else {
            throw .invalid("health URL '\(url)': the host must be a numeric IP address or localhost")
        }
        self.host = host
        self.port = port
        self.path = path.isEmpty ? "/" : path
    }

    private static func port(_ text: Substring, url: String) throws(AgentConfigurationError) -> UInt16 {
        guard text.first == ":", let port = UInt16(text.dropFirst()), port > 0 else {
            throw .invalid("health URL '\(url)' has an invalid port")
        }
        return port
    }

    /// The `Host` header value.
    var hostHeader: String { family == AF_INET6 ? "[\(host)]:\(port)" : "\(host):\(port)" }

    public var description: String { "http://\(hostHeader)\(path)" }

    /// Calls `body` with this endpoint as a `sockaddr` and its length.
    func withSocketAddress<Result>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> Result) -> Result {
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
}
