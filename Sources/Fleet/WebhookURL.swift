/// A webhook's URL taken apart (Docs/DEPLOYMENTS.md, "Approval webhook"): `https://HOST[:PORT]/PATH`,
/// or plain `http` only to a loopback address (127.0.0.0/8, `::1`, `localhost`), for tests and
/// development. No user information, query fragments or spaces; the path defaults to `/`.
public struct WebhookURL: Sendable, Equatable {
    public var isTLS: Bool
    /// The host as written, without brackets around an IPv6 address.
    public var host: String
    public var port: UInt16
    /// The request target: the path and any query.
    public var target: String

    public init(isTLS: Bool, host: String, port: UInt16, target: String) {
        self.isTLS = isTLS
        self.host = host
        self.port = port
        self.target = target
    }

    /// Why a URL is refused.
    public struct Refusal: Error, Sendable, Equatable, CustomStringConvertible {
        public let description: String
    }

    public static func parse(_ text: String) -> Result<WebhookURL, Refusal> {
        func refused(_ why: String) -> Result<WebhookURL, Refusal> { .failure(Refusal(description: "the URL '\(text)' \(why)")) }
        let isTLS: Bool
        var rest: Substring
        if text.hasPrefix("https://") {
            (isTLS, rest) = (true, Substring(text).dropFirst(8))
        } else if text.hasPrefix("http://") {
            (isTLS, rest) = (false, Substring(text).dropFirst(7))
        } else {
            return refused("must start with https:// (http:// only to a loopback address)")
        }
        guard text.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7f }), !text.contains("#") else {
            return refused("must be printable ASCII without spaces or a fragment")
        }
        let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        rest = rest[authorityEnd...]
        guard !authority.contains("@") else { return refused("must not carry user information") }
        var host = authority
        var portText: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { return refused("has an unclosed '['") }
            host = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { return refused("has text after its IPv6 address") }
                portText = after.dropFirst()
            }
        } else if let colon = authority.lastIndex(of: ":") {
            host = authority[..<colon]
            portText = authority[authority.index(after: colon)...]
        }
        guard !host.isEmpty, host.count <= 253 else { return refused("has no host") }
        var port: UInt16 = isTLS ? 443 : 80
        if let portText {
            guard let value = UInt16(portText), value > 0 else { return refused("has a port that is not 1 to 65535") }
            port = value
        }
        let url = WebhookURL(isTLS: isTLS, host: String(host), port: port, target: rest.isEmpty ? "/" : String(rest))
        if !isTLS, !url.isLoopback { return refused("uses plain http to a host that is not a loopback address: use https") }
        return .success(url)
    }

    /// 127.0.0.0/8, `::1` or `localhost`.
    public var isLoopback: Bool {
        if host == "localhost" || host == "::1" { return true }
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts[0] == "127" && parts.allSatisfy { UInt8($0) != nil }
    }
}
