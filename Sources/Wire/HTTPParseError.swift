/// Why an HTTP message was rejected, with the status code and machine-readable code the
/// server answers with. After any of these the connection cannot be reused.
public enum HTTPParseError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Malformed syntax or ambiguous framing; the message says what was wrong.
    case badRequest(String)
    case requestLineTooLong
    /// A header (or trailer) section exceeded its line count or byte limit.
    case headersTooLarge
    case bodyTooLarge(maximumBytes: Int)
    /// A feature this parser does not implement, such as a transfer coding other than chunked.
    case notImplemented(String)
    /// An HTTP version other than 1.0 or 1.1.
    case versionNotSupported

    public var status: Int {
        switch self {
        case .badRequest: 400
        case .requestLineTooLong: 414
        case .headersTooLarge: 431
        case .bodyTooLarge: 413
        case .notImplemented: 501
        case .versionNotSupported: 505
        }
    }

    public var code: String {
        switch self {
        case .badRequest: "bad_request"
        case .requestLineTooLong: "uri_too_long"
        case .headersTooLarge: "headers_too_large"
        case .bodyTooLarge: "body_too_large"
        case .notImplemented: "not_implemented"
        case .versionNotSupported: "version_not_supported"
        }
    }

    public var description: String {
        switch self {
        case let .badRequest(reason):
            "malformed HTTP message: \(reason)"
        case .requestLineTooLong:
            "request line is too long; shorten the URL or move data into the body"
        case .headersTooLarge:
            "header section has too many lines or bytes; send fewer or smaller headers"
        case let .bodyTooLarge(maximumBytes):
            "body exceeds the \(maximumBytes)-byte limit; send a smaller body"
        case let .notImplemented(feature):
            "not implemented: \(feature)"
        case .versionNotSupported:
            "only HTTP/1.0 and HTTP/1.1 are supported"
        }
    }
}
