import Wire

/// Writes the one response to one request. Confined to the connection's
/// loop; capture it in a `LoopBound` to answer from elsewhere. Supports a
/// whole response or a chunked stream (server-sent events).
public final class HTTPResponder {
    enum Phase { case pending, streaming, done }

    public let loop: EventLoop
    let isHeadRequest: Bool
    let keepAlive: Bool
    var phase = Phase.pending
    private var status = 0
    private weak var owner: HTTPServerHandler?
    private let connection: any Connection
    /// The server's `responseHeaders` and those of `addHeaders`, added to what the handler sends.
    private var commonHeaders: HTTPHeaders

    init(owner: HTTPServerHandler, connection: any Connection, head: HTTPRequestHead, commonHeaders: HTTPHeaders) {
        self.owner = owner
        self.commonHeaders = commonHeaders
        self.connection = connection
        self.loop = connection.loop
        self.isHeadRequest = head.method == "HEAD"
        self.keepAlive = head.keepAlive
    }

    public var hasResponded: Bool { phase != .pending }

    /// Adds fields to whatever answer this responder sends (a CORS origin's), unless the answer
    /// sets the same field itself.
    public func addHeaders(_ headers: HTTPHeaders) {
        loop.preconditionInLoop()
        guard headers.count > 0 else { return }
        var merged = headers
        merged.addAbsent(commonHeaders)
        commonHeaders = merged
    }

    /// Sends a complete response with a Content-Length body; `closingConnection` closes the
    /// connection after it (`Connection: close`), whatever the client asked.
    public func send(status: Int, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = [], closingConnection: Bool = false) {
        send(status: status, headers: headers, bodyParts: [body], closingConnection: closingConnection)
    }

    /// Sends a complete response whose body is `bodyParts` one after another. A body larger than
    /// the write queue is written from the parts where they lie, never joined into one copy (a
    /// saved snapshot's header, state and digest).
    public func send(status: Int, headers: HTTPHeaders = HTTPHeaders(), bodyParts: [[UInt8]], closingConnection: Bool = false) {
        loop.preconditionInLoop()
        guard phase == .pending else { return }
        phase = .done
        self.status = status
        var head = HTTPResponseHead(status: status, headers: withCommonHeaders(headers))
        // A 204 has no body and, by RFC 9110, no Content-Length.
        let bodyBytes = bodyParts.reduce(0) { $0 + $1.count }
        if status != 204 { head.headers.replaceOrAdd(name: "Content-Length", value: String(bodyBytes)) }
        let closing = closingConnection || (owner?.willCloseAfterResponse(keepAlive: keepAlive) ?? true)
        if closing { head.headers.replaceOrAdd(name: "Connection", value: "close") }
        let pieces = [HTTPResponseSerializer.head(head)] + (isHeadRequest ? [] : bodyParts.filter { !$0.isEmpty })
        let totalBytes = pieces.reduce(0) { $0 + $1.count }
        guard connection.queuedOutboundBytes + totalBytes > connection.limits.writeQueueMaximumBytes else {
            // Head and one body go in one write, as always; more parts are queued one by one, never joined first.
            if pieces.count <= 2 { connection.write(pieces.count == 1 ? pieces[0] : pieces[0] + pieces[1]) }
            else { for piece in pieces { connection.write(piece) } }
            owner?.responseFinished(closeConnection: closing, status: status)
            return
        }
        writeInPieces(pieces, closing: closing)
    }

    /// More than the write queue may hold (a fleet-wide listing, a saved snapshot): written in
    /// pieces as the client reads, never queued whole. `write` may report the queue drained at
    /// once, which calls `onWritable` again from inside this loop: the position moves before
    /// each write, and a nested call returns.
    private func writeInPieces(_ parts: [[UInt8]], closing: Bool) {
        var part = 0, offset = 0
        var isWriting = false
        onWritable = { [unowned self] in
            guard !isWriting else { return }
            isWriting = true
            defer { isWriting = false }
            while part < parts.count, connection.isOpen, connection.isWritable {
                let bytes = parts[part], start = offset
                let end = min(start + Self.wholeResponsePieceBytes, bytes.count)
                (part, offset) = end == bytes.count ? (part + 1, 0) : (part, end)
                connection.write(bytes[start..<end])
            }
            guard part == parts.count, onWritable != nil else { return }
            onWritable = nil
            owner?.responseFinished(closeConnection: closing, status: status)
        }
        onWritable?()
    }

    /// The fields every answer of this responder carries: the server's and those added.
    var answerHeaders: HTTPHeaders { commonHeaders }

    private func withCommonHeaders(_ headers: HTTPHeaders) -> HTTPHeaders {
        var headers = headers
        headers.addAbsent(commonHeaders)
        return headers
    }

    /// Bytes queued at a time of a whole response too large to queue at once.
    static let wholeResponsePieceBytes = 64 << 10

    public func sendJSON(status: Int, _ json: String, headers: HTTPHeaders = HTTPHeaders()) {
        var headers = headers
        headers.replaceOrAdd(name: "Content-Type", value: "application/json")
        send(status: status, headers: headers, body: Array(json.utf8))
    }

    /// The project's error shape: `{"error": {"code": ..., "message": ...}}`.
    public func sendError(status: Int, code: String, message: String, headers: HTTPHeaders = HTTPHeaders()) {
        var headers = headers
        headers.replaceOrAdd(name: "Content-Type", value: "application/json")
        send(status: status, headers: headers, body: JSONText.errorBody(code: code, message: message))
    }

    /// Starts a chunked response; follow with `writeChunk` and `finishStream`.
    public func startStream(status: Int, headers: HTTPHeaders = HTTPHeaders()) {
        loop.preconditionInLoop()
        guard phase == .pending else { return }
        phase = .streaming
        self.status = status
        var head = HTTPResponseHead(status: status, headers: withCommonHeaders(headers))
        head.headers.replaceOrAdd(name: "Transfer-Encoding", value: "chunked")
        connection.write(HTTPResponseSerializer.head(head))
        // Nothing is read until the stream ends: a client that closes its side has gone.
        connection.closeWhenPeerHangsUp()
    }

    /// False while the client is not keeping up; wait for `onWritable`.
    public var isWritable: Bool { connection.isWritable }

    /// Called when a slow client catches up with a stream (or with a large whole response).
    public var onWritable: (() -> Void)?

    public func writeChunk(_ bytes: [UInt8]) {
        loop.preconditionInLoop()
        guard phase == .streaming, !bytes.isEmpty, connection.isOpen, !isHeadRequest else { return }
        connection.write(HTTPResponseSerializer.chunk(bytes))
    }

    /// Ends a chunked response; `closingConnection` closes the connection after it (a client
    /// that fell behind is not trusted with another request).
    public func finishStream(closingConnection: Bool = false) {
        loop.preconditionInLoop()
        guard phase == .streaming else { return }
        phase = .done
        if !isHeadRequest { connection.write(HTTPResponseSerializer.lastChunk) }
        let closing = closingConnection || (owner?.willCloseAfterResponse(keepAlive: keepAlive) ?? true)
        owner?.responseFinished(closeConnection: closing, status: status)
    }

    /// While a streamed request body is read: stops reading the connection until `resumeBody`, so a
    /// receiver whose work lags (disk writes on another thread) pushes back on the client rather
    /// than holding what it cannot yet write. What the current read already brought is still
    /// delivered. The body's deadlines (stall and rate floor) stop while it is paused and run again
    /// from `resumeBody`: the client is not blamed for the server's backlog. Does nothing once the
    /// response is under way (the server then reads nothing anyway).
    public func pauseBody() {
        loop.preconditionInLoop()
        guard phase == .pending, connection.isOpen else { return }
        owner?.pauseBody()
    }

    /// Reads the request body again after `pauseBody`, its deadlines re-armed from now.
    public func resumeBody() {
        loop.preconditionInLoop()
        guard phase == .pending, connection.isOpen else { return }
        owner?.resumeBody()
    }

    /// True once the client has gone; a stream should stop.
    public var isClientGone: Bool { !connection.isOpen }

    /// Called once, on the loop, if the connection closes while this response is still being
    /// sent (a stream whose client went away, noticed as soon as it closes its side, or a
    /// connection closed at shutdown).
    public var onClientGone: (() -> Void)?
}

extension HTTPHeaders {
    /// Adds each field of `other` whose name these headers do not have yet.
    mutating func addAbsent(_ other: HTTPHeaders) {
        for (name, value) in other where self[name] == nil { add(name: name, value: value) }
    }
}
