/// What `HTTPResponseParser.next()` produced: a response head, a piece of its body, or the end
/// of the response. Interim (1xx) responses yield `.head` then `.end` like any other.
public enum HTTPResponseEvent: Sendable, Equatable {
    case head(HTTPResponseHead)
    case body([UInt8])
    case end
}
