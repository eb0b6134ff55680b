import Primitives
import Wire

/// HTTP/1.1 on one TLS connection: incremental parsing, routing, buffered or
/// streamed bodies, one response at a time (pipelined requests wait), keep-alive,
/// the idle and head timeouts, a body's stall timeout and minimum rate, and limit errors as JSON.
final class HTTPServerHandler: ConnectionHandler {
    private enum Phase {
        case awaitingRequest
        case readingBody(HTTPRequest, HTTPRouteAction, HTTPResponder, (any HTTPRequestBodyReceiver)?)
        case responding(HTTPResponder)
        case closing
    }

    private let routes: HTTPRoutes
    private let configuration: HTTPServerConfiguration
    private let metrics: HTTPServerMetrics
    private var parser: HTTPRequestParser
    private var phase = Phase.awaitingRequest
    private var draining = false
    /// False from a request's head until its body's end: a response sent before
    /// the body was read must close the connection, since the rest of the body
    /// cannot be told apart from the next request.
    private var requestBodyComplete = true
    private unowned let connection: any Connection
    private var requestStarted: MonotonicInstant?
    /// Responses finished on this connection; until the first, the head timeout runs from the opening.
    private var requestsAnswered = 0
    /// While a body is read: when the rest of it is due.
    private var bodyDeadline: RequestBodyDeadline?
    /// While a streamed body's receiver holds reading paused: since when (no deadline runs meanwhile).
    private var bodyPausedAt: MonotonicInstant?

    init(connection: any Connection, routes: HTTPRoutes, configuration: HTTPServerConfiguration, metrics: HTTPServerMetrics) {
        self.connection = connection
        self.routes = routes
        self.configuration = configuration
        self.metrics = metrics
        self.parser = HTTPRequestParser(limits: configuration.parserLimits)
    }

    /// The first request's head is due within the head timeout of the connection's opening
    /// (nginx's `client_header_timeout`), not the keep-alive idle time: a client that finishes
    /// TLS and says nothing must not hold an established slot for a minute.
    func connectionDidOpen(_ connection: any Connection) {
        connection.setDeadline(after: configuration.requestHeadTimeout)
    }

    func connection(_ connection: any Connection, didRead bytes: UnsafeRawBufferPointer) {
        if case .awaitingRequest = phase, parser.isIdle {
            // The first request's deadline runs from the opening; later ones from their first byte.
            if requestsAnswered > 0 { connection.setDeadline(after: configuration.requestHeadTimeout) }
            requestStarted = connection.loop.now
        }
        parser.append(bytes)
        processParsedEvents()
    }

    func connectionDeadlineExpired(_ connection: any Connection) {
        switch phase {
        case .awaitingRequest where parser.isIdle && requestsAnswered == 0:
            connection.close(.timeout("no request within \(configuration.requestHeadTimeout) of the connection opening"))
        case .awaitingRequest where parser.isIdle:
            connection.close(.timeout("idle keep-alive connection"))
        case .awaitingRequest:
            failRequest(status: 408, code: "request_timeout",
                        message: "request head not received within \(configuration.requestHeadTimeout)")
        case .readingBody:
            let reason = bodyDeadline?.reason(at: connection.loop.now) ?? "request body stalled"
            failRequest(status: 408, code: "request_timeout", message: reason)
        case .responding, .closing:
            return
        }
    }

    func connectionDidBecomeWritable(_ connection: any Connection) {
        if case let .responding(responder) = phase { responder.onWritable?() }
    }

    func connectionShouldDrain(_ connection: any Connection) {
        draining = true
        if case .awaitingRequest = phase, parser.isIdle { connection.close(.shutdown) }
    }

    func connectionDidClose(_ connection: any Connection, reason: CloseReason) {
        if case let .readingBody(_, _, _, receiver) = phase { receiver?.abandon("connection closed: \(reason)") }
        if case let .responding(responder) = phase, let gone = responder.onClientGone {
            responder.onClientGone = nil
            gone()
        }
        phase = .closing
    }

    // MARK: - Request flow

    private func processParsedEvents() {
        while true {
            switch phase {
            case .responding, .closing: return
            case .awaitingRequest, .readingBody: break
            }
            let event: HTTPParseEvent?
            do {
                event = try parser.next()
            } catch {
                return failRequest(status: error.status, code: error.code, message: error.description)
            }
            guard let event else { return }
            handle(event)
        }
    }

    private func handle(_ event: HTTPParseEvent) {
        switch (event, phase) {
        case let (.head(head), .awaitingRequest):
            begin(head)
        case let (.body(bytes), .readingBody(request, action, responder, receiver)):
            let deadline = bodyDeadline?.received(bytes.count, at: connection.loop.now)
            // What the read under way brings after a pause is delivered; the deadline waits for the resume.
            if bodyPausedAt == nil { connection.setDeadline(deadline) }
            if let receiver {
                receiver.receive(bytes)
            } else {
                var request = request
                request.body.append(contentsOf: bytes)
                phase = .readingBody(request, action, responder, nil)
            }
        case let (.end, .readingBody(request, action, responder, receiver)):
            requestBodyComplete = true
            bodyDeadline = nil
            bodyPausedAt = nil
            phase = .responding(responder)
            connection.pauseReading()
            connection.setDeadline(nil)
            if let receiver {
                receiver.finish()
            } else if case let .buffered(_, respond) = action {
                respond(request, responder)
            }
        default:
            failRequest(status: 400, code: "bad_request", message: "unexpected HTTP message sequence")
        }
    }

    private func begin(_ head: HTTPRequestHead) {
        switch routes.router.route(method: head.method, path: head.path) {
        case .notFound:
            failRequest(status: 404, code: "not_found", message: "no route for \(head.path)")
        case let .methodNotAllowed(allowed):
            var headers = HTTPHeaders()
            headers.add(name: "Allow", value: allowed.joined(separator: ", "))
            failRequest(status: 405, code: "method_not_allowed",
                        message: "\(head.method) is not allowed on \(head.path)", headers: headers)
        case .found(var action, let parameters):
            parser.limits.bodyMaximumBytes = action.bodyMaximumBytes
            let request = HTTPRequest(head: head, parameters: parameters, body: [],
                                      peer: connection.peer, remoteAddress: connection.remoteAddress)
            let responder = HTTPResponder(owner: self, connection: connection, head: head,
                                          commonHeaders: configuration.responseHeaders)
            if case let .admitted(maximum, admit) = action {
                if head.declaresBody {
                    // A refusal now is sent with the body unread, so the connection closes after it.
                    requestBodyComplete = false
                    guard let respond = admit(request, responder) else { return }
                    action = .buffered(maximumBytes: maximum, respond: respond)
                } else {
                    // Nothing to upload: admitted once its empty body has ended, so a refusal
                    // keeps the connection for the next request.
                    action = .buffered(maximumBytes: maximum) { request, responder in admit(request, responder)?(request, responder) }
                }
            }
            var minimumRate = configuration.bodyMinimumBytesPerSecond
            if case let .streamed(_, routeRate?, _) = action { minimumRate = routeRate }
            let deadline = RequestBodyDeadline(startedAt: connection.loop.now, stallTimeout: configuration.bodyStallTimeout,
                                               minimumBytesPerSecond: minimumRate)
            bodyDeadline = deadline
            connection.setDeadline(deadline.initial)
            requestBodyComplete = false
            // A streamed route's receiver may answer at once (a refusal on the head): then no
            // `100 Continue` is sent, and the client sends no body.
            var receiver: (any HTTPRequestBodyReceiver)?
            if case let .streamed(_, _, accept) = action { receiver = accept(request, responder) }
            guard case .awaitingRequest = phase, !responder.hasResponded else { return }
            if head.headers["Expect"]?.lowercased() == "100-continue" {
                connection.write(HTTPResponseSerializer.head(HTTPResponseHead(status: 100)))
            }
            phase = .readingBody(request, action, responder, receiver)
        }
    }

    /// Answers an error and closes: the rest of the request cannot be trusted. While a body is
    /// read (too large, malformed, too slow) the answer carries what the route's admission added
    /// to its responder (an allowed origin's CORS fields), so a browser may read it; before a
    /// head is whole nothing of the request is known and only the server's fields are sent.
    private func failRequest(status: Int, code: String, message: String, headers: HTTPHeaders = HTTPHeaders()) {
        guard connection.isOpen else { return }
        var common = configuration.responseHeaders
        if case let .readingBody(_, _, responder, receiver) = phase {
            receiver?.abandon("request failed: \(message)")
            common = responder.answerHeaders
        }
        let body = JSONText.errorBody(code: code, message: message)
        var headers = headers
        headers.addAbsent(common)
        headers.replaceOrAdd(name: "Content-Type", value: "application/json")
        headers.replaceOrAdd(name: "Content-Length", value: String(body.count))
        headers.replaceOrAdd(name: "Connection", value: "close")
        var bytes = HTTPResponseSerializer.head(HTTPResponseHead(status: status, headers: headers))
        bytes.append(contentsOf: body)
        connection.write(bytes)
        metrics.record(status: status, startedAt: requestStarted, now: connection.loop.now)
        phase = .closing
        connection.close(.protocolViolation("HTTP \(status): \(message)"))
    }

    // MARK: - Called by HTTPResponder

    /// Whether a request body is being read (a streamed body's receiver may pause and resume it).
    var isReadingBody: Bool {
        if case .readingBody = phase { return true }
        return false
    }

    /// Stops reading the body (`HTTPResponder.pauseBody`) and its deadline with it: the server,
    /// not the client, is behind.
    func pauseBody() {
        guard isReadingBody else { return }
        connection.pauseReading()
        if bodyPausedAt == nil { bodyPausedAt = connection.loop.now }
        connection.setDeadline(nil)
    }

    /// Reads the body again (`HTTPResponder.resumeBody`), its deadline re-armed from now.
    func resumeBody() {
        guard isReadingBody else { return }
        if let pausedAt = bodyPausedAt {
            bodyPausedAt = nil
            connection.setDeadline(bodyDeadline?.resumed(pausedAt: pausedAt, at: connection.loop.now))
        }
        connection.resumeReading()
    }

    func willCloseAfterResponse(keepAlive: Bool) -> Bool {
        draining || !keepAlive || !requestBodyComplete
    }

    func responseFinished(closeConnection: Bool, status: Int) {
        metrics.record(status: status, startedAt: requestStarted, now: connection.loop.now)
        requestStarted = nil
        requestsAnswered += 1
        parser.limits.bodyMaximumBytes = configuration.parserLimits.bodyMaximumBytes
        if closeConnection {
            phase = .closing
            connection.close(.local(draining ? "drained" : "client asked to close"))
            return
        }
        phase = .awaitingRequest
        armIdleDeadline()
        connection.resumeReading()
        if parser.bufferedBytes > 0 {
            requestStarted = connection.loop.now
            connection.setDeadline(after: configuration.requestHeadTimeout)
            processParsedEvents()
        }
    }

    private func armIdleDeadline() {
        connection.setDeadline(after: configuration.idleTimeout)
    }
}
