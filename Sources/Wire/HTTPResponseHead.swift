/// A response status line and header section, as written by the server or read by the client.
public struct HTTPResponseHead: Sendable, Equatable {
    public var status: Int
    public var reason: String
    public var headers: HTTPHeaders
    /// 0 for HTTP/1.0, 1 for HTTP/1.1.
    public var versionMinor: Int

    /// An HTTP/1.1 head; a nil `reason` uses the standard phrase for `status`.
    public init(status: Int, headers: HTTPHeaders = .init(), reason: String? = nil) {
        self.status = status
        self.reason = reason ?? HTTPResponseSerializer.reasonPhrase(status)
        self.headers = headers
        self.versionMinor = 1
    }
}
