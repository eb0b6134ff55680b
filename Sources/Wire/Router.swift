/// Maps a method and a decoded path to a handler. Routes are tried in the order they were
/// added, so register specific patterns (`/deployments/current`) before general ones
/// (`/deployments/{id}`). HEAD uses the GET handler when no HEAD route matches.
public struct Router<Handler> {
    fileprivate struct Route {
        let method: String
        let pattern: RoutePattern
        let handler: Handler
    }

    private var routes: [Route] = []
    /// The most segments any pattern has: a request's path is split at most this many times.
    private var segmentsMaximum = 0

    public init() {}

    /// Registering the same method and pattern twice is a programming error and traps.
    public mutating func add(_ method: String, _ pattern: String, _ handler: Handler) {
        let compiled = RoutePattern(pattern)
        precondition(
            !routes.contains { $0.method == method && $0.pattern == compiled },
            "route \(method) \(pattern) is registered twice")
        routes.append(Route(method: method, pattern: compiled, handler: handler))
        segmentsMaximum = max(segmentsMaximum, compiled.segments.count)
    }

    /// `path` is the percent-decoded path (`HTTPRequestHead.path`). Methods are compared
    /// case-sensitively, as HTTP defines them.
    public func route(method: String, path: String) -> RouteResult<Handler> {
        var allowedMethods: [String] = []
        var getFallback: (handler: Handler, parameters: [String: String])?
        // Split once, not once per route tried: the table grows with every endpoint.
        let split = RequestPath(path, segmentsMaximum: segmentsMaximum)
        for route in routes {
            guard let parameters = route.pattern.match(split) else { continue }
            if route.method == method { return .found(route.handler, parameters: parameters) }
            if method == "HEAD", route.method == "GET", getFallback == nil {
                getFallback = (route.handler, parameters)
            }
            allowedMethods.append(route.method)
        }
        if let getFallback { return .found(getFallback.handler, parameters: getFallback.parameters) }
        guard !allowedMethods.isEmpty else { return .notFound }
        if allowedMethods.contains("GET") { allowedMethods.append("HEAD") }
        return .methodNotAllowed(allowed: Array(Set(allowedMethods)).sorted())
    }
}

extension Router: Sendable where Handler: Sendable {}

extension Router.Route: Sendable where Handler: Sendable {}
