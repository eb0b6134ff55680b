/// What `HTTPRequestParser.next()` produced: a request head, a piece of its body, or the end
/// of the request. Every request yields `.head`, zero or more `.body`, then `.end`.
public enum HTTPParseEvent: Sendable, Equatable {
    case head(HTTPRequestHead)
    case body([UInt8])
    case end
}
