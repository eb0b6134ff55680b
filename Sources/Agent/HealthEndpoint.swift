import Primitives
import Transport

/// A module's plain-HTTP health endpoint, `http://HOST:PORT/PATH` with a
/// numeric IPv4 or `[IPv6]` host or `localhost` (the agent probes processes
/// on its own host; no name resolution, no TLS). Port 80 when omitted,
/// path `/` when omitted.
public struct HealthEndpoint: Sendable, Equatable, CustomStringConvertible {
    /// Where to connect: the numeric host and the port.
    public let address: SocketAddress
    /// Starts with `/`; sent as the request target.
    public let path: String

    /// Numeric, without brackets.
    public var host: String { address.host }
    public var port: UInt16 { address.port }

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
        do {
            address = try SocketAddress(host: host, port: port)
        } catch {
            throw .invalid("health URL '\(url)': the host must be a numeric IP address or localhost")
        }
        self.path = path.isEmpty ? "/" : path
    }

    private static func port(_ text: Substring, url: String) throws(AgentConfigurationError) -> UInt16 {
        guard text.first == ":", let port = UInt16(text.dropFirst()), port > 0 else {
            throw .invalid("health URL '\(url)' has an invalid port")
        }
        return port
    }

    /// The `Host` header value.
    var hostHeader: String { "\(address)" }

    public var description: String { "http://\(hostHeader)\(path)" }
}
