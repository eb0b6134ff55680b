/// A parsed request line and header section, with the target split into a decoded path and
/// a raw query, and the connection's keep-alive decision.
public struct HTTPRequestHead: Sendable, Equatable {
    public var method: String
    /// The request target exactly as received.
    public var target: String
    /// The percent-decoded path without the query; `*` for `OPTIONS *`.
    public var path: String
    /// The raw query after `?`, or nil when the target has none.
    public var query: String?
    /// 0 for HTTP/1.0, 1 for HTTP/1.1.
    public var versionMinor: Int
    public var headers: HTTPHeaders
    /// Whether the connection may carry another request after this one.
    public var keepAlive: Bool
    /// Whether a body follows the head (chunked, or a Content-Length above 0): a request
    /// answered before it was read leaves bytes that cannot be told from the next request.
    public internal(set) var declaresBody = false

    public init(
        method: String,
        target: String,
        path: String,
        query: String?,
        versionMinor: Int,
        headers: HTTPHeaders,
        keepAlive: Bool
    ) {
        self.method = method
        self.target = target
        self.path = path
        self.query = query
        self.versionMinor = versionMinor
        self.headers = headers
        self.keepAlive = keepAlive
    }

    /// The query's `name=value` pairs, form-decoded (`+` is a space), in order. Items without
    /// `=` get an empty value; empty items are skipped.
    public func queryItems() -> [(String, String)] {
        guard let query else { return [] }
        return Array(query.utf8).split(separator: UInt8(ascii: "&")).map { item in
            let equals = item.firstIndex(of: ASCII.equals) ?? item.endIndex
            let value = equals < item.endIndex ? item[(equals + 1)...] : item[item.endIndex...]
            return (
                PercentDecoding.decodeFormComponent(item[..<equals]),
                PercentDecoding.decodeFormComponent(value)
            )
        }
    }

    /// HTTP/1.1 keeps the connection unless `Connection: close`; HTTP/1.0 closes it unless
    /// `Connection: keep-alive`.
    static func keepAlive(versionMinor: Int, headers: HTTPHeaders) -> Bool {
        let options = HTTPSyntax.lowercasedListElements(headers.values("Connection"))
        if options.contains("close") { return false }
        return versionMinor >= 1 || options.contains("keep-alive")
    }
}
