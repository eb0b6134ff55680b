import Cluster
import Fleet
import Transport
import Wire

/// One `GET /api/v1/events` stream, confined to its connection's loop: it writes what the
/// `EventHub` gives it while the connection takes bytes, waits for `onWritable` when it does
/// not, sends a heartbeat comment every `heartbeatInterval`, and ends when the hub says so
/// (dropped, shutdown) or the client goes. Every path out goes through `finish`, which cancels
/// the heartbeat and releases the responder's callbacks.
final class EventSubscriber {
    let loop: EventLoop
    private let responder: HTTPResponder
    private let hub: EventHub
    private var id: UInt64 = 0
    private var heartbeat: TimerID?
    private var isFinished = false
    private var isFlushing = false

    /// Answers `request` with a stream, or with a refusal (400 for a bad `Last-Event-ID` or
    /// `types`, 503 when the hub is full or shutting down). On the responder's loop.
    static func open(_ request: HTTPRequest, responder: HTTPResponder, hub: EventHub) {
        let lastEventID: UInt64?, kinds: Set<FleetEvent.Kind>?
        switch (EventRequest.lastEventID(request.head.headers.values("Last-Event-ID")), EventRequest.kinds(request)) {
        case let (.success(id), .success(types)): (lastEventID, kinds) = (id, types)
        case let (.failure(reply), _), let (_, .failure(reply)): return responder.send(reply)
        }
        let subscriber = EventSubscriber(responder: responder, hub: hub)
        switch hub.subscribe(subscriber, lastEventID: lastEventID, kinds: kinds) {
        case let .failure(reply): responder.send(reply)
        case let .success((id, first)): subscriber.start(id: id, first: first, headOnly: request.head.method == "HEAD")
        }
    }

    private init(responder: HTTPResponder, hub: EventHub) {
        self.responder = responder
        self.hub = hub
        loop = responder.loop
    }

    private func start(id: UInt64, first: [UInt8], headOnly: Bool) {
        self.id = id
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "text/event-stream")
        headers.add(name: "Cache-Control", value: "no-store")
        // Tells a buffering proxy (nginx) to pass each event on at once.
        headers.add(name: "X-Accel-Buffering", value: "no")
        responder.startStream(status: 200, headers: headers)
        guard !headOnly else { return finish(dropped: false) }
        // Weak: a write can close the connection, and the stream end and be released, mid-callback.
        responder.onClientGone = { [weak self] in self?.finish(dropped: false) }
        responder.writeChunk(first)
        guard !isFinished else { return }
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
    }

    private func scheduleHeartbeat() {
        heartbeat = loop.scheduleTimer(after: hub.limits.heartbeatInterval) { [weak self] in
            guard let self else { return }
            heartbeat = nil
            guard !isFinished else { return }
            guard !responder.isClientGone else { return finish(dropped: false) }
            // Skipped while the connection is full: bytes are on their way anyway, or the hub drops it.
            if responder.isWritable { responder.writeChunk(EventStreamText.heartbeat) }
            if !isFinished { scheduleHeartbeat() }
        }
    }

    private func finish(dropped: Bool) {
        guard !isFinished else { return }
        isFinished = true
        if let heartbeat { loop.cancelTimer(heartbeat) }
        heartbeat = nil
        responder.onWritable = nil
        responder.onClientGone = nil
        // A client that went has nothing left to read: its connection is closing already.
        if !responder.isClientGone { responder.finishStream(closingConnection: dropped) }
        hub.remove(id, wasDropped: dropped)
    }
}
