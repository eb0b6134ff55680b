/// How the end of a message body is found (RFC 9112 section 6.3).
enum HTTPBodyFraming: Sendable, Equatable {
    case none
    case length(Int)
    case chunked
    /// The body runs until the server closes the connection (responses only).
    case untilClose

    /// Content-Length values with more digits are treated as "too large" rather than parsed.
    private static let contentLengthDigitsMaximum = 18

    /// A request has a body only when it says so. Both Content-Length and Transfer-Encoding,
    /// or Transfer-Encoding on HTTP/1.0, is rejected: two framings that peers may read
    /// differently are how requests are smuggled.
    static func forRequest(headers: HTTPHeaders, versionMinor: Int) throws(HTTPParseError)
        -> HTTPBodyFraming
    {
        let contentLength = try contentLength(headers)
        guard headers["Transfer-Encoding"] != nil else {
            return contentLength.map { .length($0) } ?? .none
        }
        guard contentLength == nil else {
            throw .badRequest("request has both Content-Length and Transfer-Encoding; send one")
        }
        guard versionMinor == 1 else {
            throw .badRequest("Transfer-Encoding is not allowed in an HTTP/1.0 request")
        }
        try requireChunkedOnly(headers)
        return .chunked
    }

    /// Responses to HEAD, 1xx, 204 and 304 have no body; otherwise chunked, Content-Length,
    /// or (with neither) everything until the connection closes.
    static func forResponse(status: Int, headers: HTTPHeaders, isBodyAllowed: Bool)
        throws(HTTPParseError) -> HTTPBodyFraming
    {
        guard isBodyAllowed, status >= 200, status != 204, status != 304 else { return .none }
        let contentLength = try contentLength(headers)
        guard headers["Transfer-Encoding"] != nil else {
            return contentLength.map { .length($0) } ?? .untilClose
        }
        guard contentLength == nil else {
            throw .badRequest("response has both Content-Length and Transfer-Encoding")
        }
        try requireChunkedOnly(headers)
        return .chunked
    }

    private static func requireChunkedOnly(_ headers: HTTPHeaders) throws(HTTPParseError) {
        let codings = HTTPSyntax.lowercasedListElements(headers.values("Transfer-Encoding"))
        if let unsupported = codings.first(where: { $0 != "chunked" }) {
            throw .notImplemented("transfer coding '\(unsupported)'; only chunked is supported")
        }
        guard codings.count == 1 else {
            throw .badRequest("Transfer-Encoding must name chunked exactly once")
        }
    }

    /// The declared length, or nil without the header. Repeated values (in several fields or
    /// a comma list) must all agree; each must be plain decimal digits.
    private static func contentLength(_ headers: HTTPHeaders) throws(HTTPParseError) -> Int? {
        let fields = headers.values("Content-Length")
        guard !fields.isEmpty else { return nil }
        var length: Int?
        for field in fields {
            for element in Array(field.utf8).split(separator: ASCII.comma, omittingEmptySubsequences: false) {
                let value = try parseLength(HTTPSyntax.trimmingWhitespace(element))
                guard length == nil || length == value else {
                    throw .badRequest("Content-Length values disagree")
                }
                length = value
            }
        }
        return length
    }

    private static func parseLength(_ digits: ArraySlice<UInt8>) throws(HTTPParseError) -> Int {
        guard !digits.isEmpty, digits.allSatisfy(ASCII.isDigit) else {
            throw .badRequest("Content-Length must be a non-negative decimal number")
        }
        let significant = digits.drop { $0 == UInt8(ascii: "0") }
        guard significant.count <= contentLengthDigitsMaximum else { return Int.max }
        return significant.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
    }
}
