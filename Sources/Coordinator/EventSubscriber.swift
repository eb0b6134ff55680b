import Access
import Cluster
import Fleet
import Transport
import Wire

/// One `GET /api/v1/events` stream, confined to its connection's loop: it writes what the
/// `EventHub` gives it while the connection takes bytes, waits for `onWritable` when it does
/// not (at most `sendTimeout`, then it is dropped), sends a heartbeat with its position every
/// `heartbeatInterval`, and ends when its token or client certificate expires, when the hub says
/// so (dropped, the credential revoked, shutdown) or when the client goes. Every path out goes
/// through `finish`, which cancels the timers and releases the responder's callbacks.
final class EventSubscriber {
    let loop: EventLoop
    private let responder: HTTPResponder
    private let hub: EventHub
    private var id: UInt64 = 0
    private var heartbeat: TimerID?
    /// While the connection takes no bytes: when the stream is dropped unless it does by then.
    private var sendDeadline: TimerID?
    /// The credential's expiry, and the end of the wait for an id not applied here.
    private var expiry: TimerID?
    private var aheadWait: TimerID?
    private var isFinished = false
    private var isFlushing = false

    /// Answers `request` of `caller` with a stream, or with a refusal (400 for a bad
    /// `Last-Event-ID` or `types`, 429 past the caller's share of streams, 503 when the hub is
    /// full or shutting down; `refusalNow`, the credential checked again once the hub holds the
    /// stream). On the responder's loop.
    static func open(_ request: HTTPRequest, caller: VerifiedCaller, responder: HTTPResponder, hub: EventHub,
                     refusalNow: () -> HTTPReply?) {
        let lastEventID: UInt64?, kinds: Set<FleetEvent.Kind>?
        switch (EventRequest.lastEventID(request.head.headers.values("Last-Event-ID")), EventRequest.kinds(request)) {
        case let (.success(id), .success(types)): (lastEventID, kinds) = (id, types)
        case let (.failure(reply), _), let (_, .failure(reply)): return responder.send(reply)
        }
        let certificate = caller.method == .certificate ? request.peer : nil
        let credential = certificate.map { EventHub.Credential.certificate(notBeforeSeconds: $0.notBeforeSeconds,
                                                                            trustGeneration: $0.trustGeneration) } ?? .token
        let subscriber = EventSubscriber(responder: responder, hub: hub)
        switch hub.subscribe(subscriber, caller: caller, credential: credential, lastEventID: lastEventID, kinds: kinds) {
        case let .failure(reply): responder.send(reply)
        case let .success(opening):
            // A removal, password change, revocation or CA reload between the admission and
            // `subscribe` found no stream to end; one after it ends the stream. Events are
            // recorded after the view they come from is published (RaftService.process), so the
            // credential checked again now against the view misses neither.
            if let refusal = refusalNow() {
                hub.remove(opening.id, wasDropped: false)
                return responder.send(refusal)
            }
            subscriber.start(opening, expiresAtSeconds: caller.expiresAtSeconds, headOnly: request.head.method == "HEAD")
        }
    }

    private init(responder: HTTPResponder, hub: EventHub) {
        self.responder = responder
        self.hub = hub
        loop = responder.loop
    }

    private func start(_ opening: EventHub.Opening, expiresAtSeconds: UInt64, headOnly: Bool) {
        id = opening.id
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "text/event-stream")
        headers.add(name: "Cache-Control", value: "no-store")
        // Tells a buffering proxy (nginx) to pass each event on at once.
        headers.add(name: "X-Accel-Buffering", value: "no")
        responder.startStream(status: 200, headers: headers)
        guard !headOnly else { return finish(dropped: false) }
        // Weak: a write can close the connection, and the stream end and be released, mid-callback.
        responder.onClientGone = { [weak self] in self?.finish(dropped: false) }
        responder.writeChunk(opening.first)
        guard !isFinished else { return }
        // Tokens carry whole seconds below 2^53, and a certificate's notAfter is an ASN.1 time
        // before the year 10000 (below 2^38 s), so the product does not overflow.
        let expiresAt = expiresAtSeconds * 1_000, now = hub.wallClock()
        expiry = loop.scheduleTimer(after: .milliseconds(expiresAt > now ? expiresAt - now : 0)) { [weak self] in
            self?.expiry = nil
            self?.finish(dropped: false)
        }
        if opening.isAhead { aheadWait = loop.scheduleTimer(after: hub.limits.aheadWaitMaximum) { [weak self] in self?.settle() } }
        scheduleHeartbeat()
        flush()
    }

    /// Writes what waits for this stream while the connection takes it. On the loop; the hub
    /// wakes it, and so does the connection when it drains.
    func flush() {
        loop.preconditionInLoop()
        // Writing may call `onWritable` from inside the loop below.
        guard !isFinished, !isFlushing else { return }
        isFlushing = true
        defer { isFlushing = false }
        guard !responder.isClientGone else { return finish(dropped: false) }
        if responder.isWritable, let sendDeadline {
            loop.cancelTimer(sendDeadline)
            self.sendDeadline = nil
        }
        // A write that fails closes the connection, which finishes this stream on the spot.
        while !isFinished, responder.isWritable {
            switch hub.next(id) {
            case let .send(bytes): responder.writeChunk(bytes)
            case .idle: return
            case .drop: return finish(dropped: true)
            case .end: return finish(dropped: false)
            }
        }
        guard !isFinished else { return }
        guard !hub.block(id) else { return finish(dropped: true) }
        responder.onWritable = { [weak self] in self?.flush() }
        if sendDeadline == nil {
            sendDeadline = loop.scheduleTimer(after: hub.limits.sendTimeout) { [weak self] in self?.sendTimedOut() }
        }
    }

    /// Ends the stream now, whatever its connection's state (the hub forgot it already).
    func end() {
        loop.preconditionInLoop()
        finish(dropped: false)
    }

    /// The connection took no bytes for `sendTimeout`.
    private func sendTimedOut() {
        sendDeadline = nil
        guard !isFinished else { return }
        if responder.isWritable { flush() } else { finish(dropped: true) }
    }

    /// The wait for an id this coordinator had not applied is over: a reset if it still has not.
    private func settle() {
        aheadWait = nil
        guard !isFinished, let reset = hub.settle(id) else { return }
        responder.writeChunk(reset)
        flush()
    }

    private func scheduleHeartbeat() {
        heartbeat = loop.scheduleTimer(after: hub.limits.heartbeatInterval) { [weak self] in
            guard let self else { return }
            heartbeat = nil
            guard !isFinished else { return }
            guard !responder.isClientGone else { return finish(dropped: false) }
            // Skipped while the connection is full: bytes are on their way anyway, or it is dropped.
            if responder.isWritable {
                guard let bytes = hub.heartbeat(id) else { return finish(dropped: false) }
                responder.writeChunk(bytes)
                // A heartbeat that filled the connection waits for it as an event would.
                if !responder.isWritable { flush() }
            }
            if !isFinished { scheduleHeartbeat() }
        }
    }

    private func finish(dropped: Bool) {
        guard !isFinished else { return }
        isFinished = true
        for timer in [heartbeat, sendDeadline, expiry, aheadWait].compactMap({ $0 }) { loop.cancelTimer(timer) }
        (heartbeat, sendDeadline, expiry, aheadWait) = (nil, nil, nil, nil)
        responder.onWritable = nil
        responder.onClientGone = nil
        // A client that went has nothing left to read: its connection is closing already.
        if !responder.isClientGone { responder.finishStream(closingConnection: dropped) }
        hub.remove(id, wasDropped: dropped)
    }
}
