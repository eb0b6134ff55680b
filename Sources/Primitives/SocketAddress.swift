/// A numeric IPv4 or IPv6 socket address parsed from `HOST:PORT`
/// (`127.0.0.1:7443`, `[::1]:7443`, `localhost:7443`, `:7443` for all interfaces).
/// A value only: `Transport` turns it into a `sockaddr`.
public struct SocketAddress: Sendable, Equatable, CustomStringConvertible {
    /// Linux's `AF_INET` and `AF_INET6`, the values `family` holds.
    public static let familyIPv4: Int32 = 2
    public static let familyIPv6: Int32 = 10

    public let host: String
    public let port: UInt16
    /// `AF_INET` or `AF_INET6`.
    public let family: Int32

    public init(parsing text: String) throws(SocketAddressError) {
        guard let colon = text.lastIndex(of: ":"),
              let port = UInt16(text[text.index(after: colon)...]) else {
            throw .invalidAddress(text)
        }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        if host.isEmpty { host = "0.0.0.0" }
        if host == "localhost" { host = "127.0.0.1" }
        try self.init(host: host, port: port)
    }

    public init(host: String, port: UInt16) throws(SocketAddressError) {
        if NumericAddress.ipv4(host) != nil {
            family = Self.familyIPv4
        } else if NumericAddress.ipv6(host) != nil {
            family = Self.familyIPv6
        } else {
            throw .invalidAddress("\(host):\(port)")
        }
        self.host = host
        self.port = port
    }

    /// `127.0.0.1:0`; `withPort` names a port on it.
    public static let loopbackIPv4 = SocketAddress(checkedHost: "127.0.0.1", port: 0, family: familyIPv4)

    /// The same numeric host on another port; cannot fail, as the host was already checked.
    public func withPort(_ newPort: UInt16) -> SocketAddress {
        SocketAddress(checkedHost: host, port: newPort, family: family)
    }

    private init(checkedHost: String, port: UInt16, family: Int32) {
        host = checkedHost
        self.port = port
        self.family = family
    }

    public var description: String {
        family == Self.familyIPv6 ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}

/// Text that is not a numeric `HOST:PORT`.
public enum SocketAddressError: Error, Equatable, Sendable, CustomStringConvertible {
    case invalidAddress(String)

    public var description: String {
        switch self {
        case let .invalidAddress(text):
            "invalid address '\(text)': expected HOST:PORT with a numeric IPv4 or [IPv6] host, or localhost"
        }
    }
}
