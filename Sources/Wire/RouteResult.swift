/// The outcome of routing a request: a handler with its path parameters, a 405 with the
/// methods the path does accept, or a 404.
public enum RouteResult<Handler> {
    case found(Handler, parameters: [String: String])
    case methodNotAllowed(allowed: [String])
    case notFound
}

extension RouteResult: Sendable where Handler: Sendable {}
