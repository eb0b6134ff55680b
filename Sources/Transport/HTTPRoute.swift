import Primitives
import Wire

/// A request as a route handler sees it: head, path parameters, the body if
/// the route buffers it, and who is calling.
public struct HTTPRequest: Sendable {
    public let head: HTTPRequestHead
    public let parameters: [String: String]
    public internal(set) var body: [UInt8]
    public let peer: AuthenticatedPeer?
    public let remoteAddress: SocketAddress?
}

/// Receives a streamed request body, chunk by chunk, on the connection's loop.
/// Only what the receiver keeps is held in memory.
public protocol HTTPRequestBodyReceiver: AnyObject {
    func receive(_ bytes: [UInt8])
    /// The whole body arrived; the receiver must answer through the responder.
    func finish()
    /// The body was cut off (bad framing, timeout, disconnect); no response can be sent.
    func abandon(_ reason: String)
}

/// A route's handler of a request whose body has been collected.
public typealias HTTPRequestHandler = @Sendable (HTTPRequest, HTTPResponder) -> Void

/// What a route does with a request. Handlers run on the connection's loop and
/// must answer through the responder exactly once, now or later.
public enum HTTPRouteAction: Sendable {
    /// The body (at most `maximumBytes`) is collected, then `respond` runs.
    case buffered(maximumBytes: Int, respond: @Sendable (HTTPRequest, HTTPResponder) -> Void)
    /// The body (at most `maximumBytes`) is streamed to the receiver `accept` returns;
    /// `minimumBytesPerSecond`, when given, replaces the server's rate floor for this route.
    case streamed(maximumBytes: Int, minimumBytesPerSecond: Int?,
                  accept: @Sendable (HTTPRequest, HTTPResponder) -> any HTTPRequestBodyReceiver)
    /// Admitted on its head, before any of the body is read or `100 Continue` is sent: `admit`
    /// either answers and gives nil, or gives the handler to run once the body (at most
    /// `maximumBytes`) is collected. A refused request that declares a body closes the
    /// connection after the answer, the body unread; one without a body keeps it.
    case admitted(maximumBytes: Int, admit: @Sendable (HTTPRequest, HTTPResponder) -> HTTPRequestHandler?)

    var bodyMaximumBytes: Int {
        switch self {
        case let .buffered(maximum, _), let .streamed(maximum, _, _), let .admitted(maximum, _): return maximum
        }
    }
}

/// The routes of one HTTP server, matched by method and path pattern.
public struct HTTPRoutes: Sendable {
    var router = Router<HTTPRouteAction>()

    public init() {}

    public static let smallBodyMaximumBytes = 64 * 1024

    /// A route whose request body, if any, is small and buffered.
    public mutating func add(_ method: String, _ pattern: String,
                             bodyMaximumBytes: Int = HTTPRoutes.smallBodyMaximumBytes,
                             _ respond: @escaping @Sendable (HTTPRequest, HTTPResponder) -> Void) {
        router.add(method, pattern, .buffered(maximumBytes: bodyMaximumBytes, respond: respond))
    }

    /// A route whose request is admitted on its head, before its body is read (`HTTPRouteAction.admitted`).
    public mutating func addAdmitted(_ method: String, _ pattern: String, bodyMaximumBytes: Int,
                                     _ admit: @escaping @Sendable (HTTPRequest, HTTPResponder) -> HTTPRequestHandler?) {
        router.add(method, pattern, .admitted(maximumBytes: bodyMaximumBytes, admit: admit))
    }

    /// A route whose request body is streamed (uploads); `bodyMinimumBytesPerSecond` replaces the
    /// server's `HTTPServerConfiguration.bodyMinimumBytesPerSecond` for it (a floor of its own,
    /// after the same grace).
    public mutating func addStreamed(_ method: String, _ pattern: String, bodyMaximumBytes: Int, bodyMinimumBytesPerSecond: Int? = nil,
                                     _ accept: @escaping @Sendable (HTTPRequest, HTTPResponder) -> any HTTPRequestBodyReceiver) {
        router.add(method, pattern, .streamed(maximumBytes: bodyMaximumBytes, minimumBytesPerSecond: bodyMinimumBytesPerSecond,
                                              accept: accept))
    }
}

/// Timeouts and parser limits of an HTTP server.
public struct HTTPServerConfiguration: Sendable {
    public var parserLimits = HTTPParserLimits()
    /// A keep-alive connection with no request in progress, after its first, closes after this.
    public var idleTimeout: Duration = .seconds(60)
    /// A request's head must arrive completely within this, else 408: the first request's from
    /// the connection's opening (one that sends nothing closes), later ones' from their first byte.
    public var requestHeadTimeout: Duration = .seconds(10)
    /// A request body that stalls this long is answered 408 (not counting time its streamed
    /// receiver held it paused: `HTTPResponder.pauseBody`).
    public var bodyStallTimeout: Duration = .seconds(30)
    /// After `bodyStallTimeout` of grace, a body must average at least this (0: no floor), else 408.
    public var bodyMinimumBytesPerSecond = 1_024
    /// Added to every response this server sends (the API's `Strict-Transport-Security`),
    /// unless the response sets the same field itself.
    public var responseHeaders = HTTPHeaders()

    public init() {}
}
