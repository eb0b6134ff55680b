import Access
import Cluster
import Fleet
import Locking
import Observability
import Transport

/// The shell of `GET /api/v1/events` (Docs/EVENTS.md): the `EventJournal` this coordinator fills
/// as it applies entries, and its bounded set of subscribers, each a stream on its connection's
/// loop. The Raft loop only records and wakes (one pending wake per subscriber at most); each
/// subscriber reads the journal after its own position on its own loop, so a slow one holds
/// neither the apply path nor the others. A subscriber whose connection stopped taking bytes
/// while more than `backlogEventsMaximum` events or `backlogBytesMaximum` bytes wait for it is
/// dropped: its stream ends and its connection closes. Streams whose credential a change revoked
/// (a token's user deleted or its password changed; a client certificate's user deleted, its name
/// revoked, or the CA that verified it reloaded), and all of them at shutdown or when a snapshot
/// replaces the state, are ended at once, whether or not their connections take bytes.
final class EventHub: Sendable {
    /// How a stream's caller proved who it is, for the changes that end the stream.
    enum Credential: Sendable, Equatable {
        case token
        /// A client certificate of the caller's name (`AuthenticatedPeer`).
        case certificate(notBeforeSeconds: Int64?, trustGeneration: UInt64)
    }

    struct Limits: Sendable {
        var subscribersMaximum = 256
        /// Streams one user may hold at once.
        var subscribersPerUserMaximum = 16
        var backlogEventsMaximum = 1_024
        var backlogBytesMaximum = 1 << 20
        /// Bytes read from the journal for one chunk of a stream.
        var chunkBytesMaximum = 64 << 10
        var heartbeatInterval: Duration = .seconds(15)
        /// How long a stream may wait for its connection to take bytes again before it is dropped.
        var sendTimeout: Duration = .seconds(30)
        /// How long a stream resumed from an id this coordinator has not applied yet waits for it.
        var aheadWaitMaximum: Duration = .seconds(5)
        var journalCapacity = EventJournal.capacityDefault
        var journalBytesCapacity = EventJournal.bytesCapacityDefault
    }

    /// What a subscriber's stream does next.
    enum Step {
        case send([UInt8])
        case idle
        case drop
        case end
    }

    /// A new stream: its id, its first message, and whether it waits for an id not applied here.
    struct Opening {
        let id: UInt64
        let first: [UInt8]
        let isAhead: Bool
    }

    private struct Slot {
        let subscriber: LoopBound<EventSubscriber>
        let user: String
        let credential: Credential
        var cursor: UInt64
        let filter: EventJournal.Filter
        var isWakeScheduled = false
        /// Waiting for its connection to take bytes again.
        var isBlocked = false
        var isDropped = false
    }

    private struct State {
        var journal: EventJournal
        var slots: [UInt64: Slot] = [:]
        var nextID: UInt64 = 1
        var isClosed = false

        /// Forgets the streams `ending` takes; their subscribers, to be ended on their loops.
        mutating func removeSlots(where ending: (Slot) -> Bool) -> [LoopBound<EventSubscriber>] {
            let ended = slots.filter { ending($0.value) }
            for id in ended.keys { slots.removeValue(forKey: id) }
            return ended.values.map(\.subscriber)
        }
    }

    /// What `next` took under the lock; its bytes are built after.
    private enum Taken {
        case entries([EventJournal.Entry], bookmark: UInt64?)
        case step(Step)
    }

    let limits: Limits
    /// Wall-clock milliseconds, for when tokens expire.
    let wallClock: @Sendable () -> UInt64
    private let state: Locked<State>
    private let dropped: Counter

    init(appliedIndex: UInt64, limits: Limits = Limits(), metrics: MetricsRegistry,
         wallClock: @escaping @Sendable () -> UInt64 = WallClock.nowMilliseconds) {
        self.limits = limits
        self.wallClock = wallClock
        let state = Locked(State(journal: EventJournal(appliedIndex: appliedIndex, capacity: limits.journalCapacity,
                                                       bytesCapacity: limits.journalBytesCapacity)))
        self.state = state
        dropped = metrics.counter("hotswap_event_subscribers_dropped_total",
                                  help: "Event streams ended because the client fell too far behind (GET /api/v1/events).")
        metrics.gaugeFunction("hotswap_event_subscribers", help: "Open event streams (GET /api/v1/events).") {
            Double(state.withLock { $0.slots.count })
        }
        metrics.gaugeFunction("hotswap_events_held", help: "Recent events held for streams to resume from.") {
            Double(state.withLock { $0.journal.count })
        }
    }

    /// A coordinator's hub, its state starting at its snapshot's `appliedIndex` (the log after it
    /// is applied again from the start: its events are recorded then). A stream resumed from an
    /// id not applied here waits ten election timeouts for it at most.
    convenience init(appliedIndex: UInt64, electionTimeout: Duration, metrics: MetricsRegistry) {
        var limits = Limits()
        limits.aheadWaitMaximum = electionTimeout * 10
        self.init(appliedIndex: appliedIndex, limits: limits, metrics: metrics)
    }

    /// Records the events of the entries applied up to `appliedIndex`, ends the streams whose
    /// credentials they revoke (`Revoked`), and wakes the others. On the Raft loop; takes the
    /// lock once and never waits for a stream.
    func record(_ events: [FleetEvent], through appliedIndex: UInt64) {
        let entries = events.map(EventJournal.Entry.init)
        let revoked = Revoked(events)
        let (ended, woken) = state.withLock { state in
            state.journal.record(entries, through: appliedIndex)
            let ended = revoked.isEmpty ? [] : state.removeSlots { revoked.ends(user: $0.user, credential: $0.credential) }
            return (ended, entries.isEmpty ? [] : Self.wake(&state, limits: limits))
        }
        for subscriber in ended { subscriber.withValueOnLoop { $0.end() } }
        for subscriber in woken { subscriber.withValueOnLoop { $0.flush() } }
    }

    /// The API's cluster CA was reloaded with new roots (trust generation `generation`): the
    /// streams of client certificates verified under older ones end, as their connections'
    /// other requests are refused (`APIGuard.certificateRefusal`).
    func endCertificateStreams(trustedBefore generation: UInt64) {
        let ended = state.withLock { state in
            state.removeSlots { slot in
                guard case let .certificate(_, trustGeneration) = slot.credential else { return false }
                return trustGeneration < generation
            }
        }
        for subscriber in ended { subscriber.withValueOnLoop { $0.end() } }
    }

    /// The state was replaced by a snapshot at `index`: what came before it is gone here, and so
    /// may be a user or password a stream was admitted with, so every stream ends (its client
    /// comes back, is checked again, and gets a reset).
    func restart(at index: UInt64) {
        let ended = state.withLock { state in
            state.journal.restart(at: index)
            return state.removeSlots { _ in true }
        }
        for subscriber in ended { subscriber.withValueOnLoop { $0.end() } }
    }

    /// Marks for a wake every stream that is not waiting for its connection, and drops those
    /// that are while too much waits for them; the subscribers to wake.
    private static func wake(_ state: inout State, limits: Limits) -> [LoopBound<EventSubscriber>] {
        var woken: [LoopBound<EventSubscriber>] = []
        for (id, slot) in state.slots where !slot.isWakeScheduled && !slot.isDropped {
            if slot.isBlocked {
                guard state.journal.isBacklogOver(after: slot.cursor, maximumEvents: limits.backlogEventsMaximum,
                                                  maximumBytes: limits.backlogBytesMaximum) else { continue }
                state.slots[id]?.isDropped = true
            }
            state.slots[id]?.isWakeScheduled = true
            woken.append(slot.subscriber)
        }
        return woken
    }

    /// Opens a stream for `caller`, whose client last saw `lastEventID`: its first message (open
    /// or reset), or the refusal when the hub, or the caller's share of it, is full or it is
    /// shutting down. A viewer's stream leaves out what only admins may read.
    func subscribe(_ subscriber: EventSubscriber, caller: VerifiedCaller, credential: Credential, lastEventID: UInt64?,
                   kinds: Set<FleetEvent.Kind>?) -> Result<Opening, HTTPReply> {
        let bound = LoopBound(subscriber, loop: subscriber.loop)
        return state.withLock { state in
            guard !state.isClosed else {
                return .failure(.error(503, "shutting_down", "this coordinator is shutting down; connect to another"))
            }
            guard state.slots.count < limits.subscribersMaximum else {
                return .failure(.error(503, "too_many_subscribers", "this coordinator streams events to at most "
                                       + "\(limits.subscribersMaximum) clients; retry later or on another", retryAfterSeconds: 5))
            }
            guard state.slots.values.count(where: { $0.user == caller.name }) < limits.subscribersPerUserMaximum else {
                return .failure(.error(429, "too_many_streams", "\(caller.name) holds \(limits.subscribersPerUserMaximum) "
                                       + "event streams on this coordinator already; close one first", retryAfterSeconds: 5))
            }
            let id = state.nextID
            state.nextID += 1
            let first: [UInt8], cursor: UInt64
            switch state.journal.resume(lastEventID: lastEventID) {
            case let .after(position), let .ahead(position):
                (cursor, first) = (position, EventStreamText.open(after: position, appliedIndex: state.journal.appliedIndex))
            case let .reset(position):
                (cursor, first) = (position, EventStreamText.reset(lastEventID: lastEventID ?? 0, after: position, oldestID: position + 1))
            }
            let filter = EventJournal.Filter(kinds: kinds, includesAdminOnly: caller.role == .admin)
            state.slots[id] = Slot(subscriber: bound, user: caller.name, credential: credential, cursor: cursor, filter: filter)
            return .success(Opening(id: id, first: first, isAhead: cursor > state.journal.appliedIndex))
        }
    }

    /// The next step of stream `id`, on its loop: the bytes to send (events, a bookmark past what
    /// its filter skipped, or a reset when it fell behind what is held), nothing for now, a drop,
    /// or the end (shutdown, or gone). Takes the entries under the lock and builds the bytes after.
    func next(_ id: UInt64) -> Step {
        let taken: Taken = state.withLock { state in
            guard var slot = state.slots[id] else { return .step(.end) }
            guard !slot.isDropped else { return .step(.drop) }
            guard !state.isClosed else { return .step(.end) }
            slot.isWakeScheduled = false
            slot.isBlocked = false
            defer { state.slots[id] = slot }
            switch state.journal.read(after: slot.cursor, filter: slot.filter, maximumBytes: limits.chunkBytesMaximum) {
            case let .entries(entries, cursor):
                let last = entries.last?.index ?? slot.cursor
                slot.cursor = cursor
                return .entries(entries, bookmark: !slot.filter.isEverything && cursor > last ? cursor : nil)
            case let .behind(position):
                let reset = EventStreamText.reset(lastEventID: slot.cursor, after: position, oldestID: position + 1)
                slot.cursor = position
                return .step(.send(reset))
            }
        }
        switch taken {
        case let .step(step): return step
        case let .entries(entries, bookmark):
            var bytes: [UInt8] = []
            for entry in entries { bytes.append(contentsOf: entry.frame) }
            if let bookmark { bytes.append(contentsOf: EventStreamText.bookmark(bookmark)) }
            return bytes.isEmpty ? .idle : .send(bytes)
        }
    }

    /// Stream `id`'s connection stopped taking bytes: true if it is to be dropped now. A wake
    /// scheduled before is spent (its flush finds the connection full), so later records check
    /// the backlog of this stream again.
    func block(_ id: UInt64) -> Bool {
        state.withLock { state in
            guard let slot = state.slots[id] else { return false }
            let isOver = slot.isDropped || state.journal.isBacklogOver(after: slot.cursor, maximumEvents: limits.backlogEventsMaximum,
                                                                       maximumBytes: limits.backlogBytesMaximum)
            state.slots[id]?.isBlocked = !isOver
            state.slots[id]?.isWakeScheduled = false
            return isOver
        }
    }

    /// A heartbeat for stream `id` that carries its position (a bookmark), nil once it ended.
    func heartbeat(_ id: UInt64) -> [UInt8]? {
        state.withLock { $0.slots[id]?.cursor }.map(EventStreamText.heartbeat(at:))
    }

    /// Stream `id` waited `aheadWaitMaximum` for an id this coordinator had not applied: if it
    /// still has not, the bytes of the reset that moves the stream back to what is applied here.
    func settle(_ id: UInt64) -> [UInt8]? {
        state.withLock { state in
            // Caught up meanwhile (or reset by a read): nothing to settle.
            guard let cursor = state.slots[id]?.cursor, cursor > state.journal.appliedIndex,
                  case let .reset(position) = state.journal.settle(waitingAt: cursor) else { return nil }
            state.slots[id]?.cursor = position
            return EventStreamText.reset(lastEventID: cursor, after: position, oldestID: nil)
        }
    }

    /// Forgets stream `id` (it ended); `wasDropped` counts it as a slow subscriber.
    func remove(_ id: UInt64, wasDropped: Bool) {
        state.withLock { _ = $0.slots.removeValue(forKey: id) }
        if wasDropped { dropped.increment() }
    }

    /// At shutdown: refuses new streams and ends every open one on its loop, whether or not its
    /// connection takes bytes (before the API's connections are drained, so they close within
    /// the drain bound).
    func close() {
        let open = state.withLock { state in
            state.isClosed = true
            return state.removeSlots { _ in true }
        }
        for subscriber in open { subscriber.withValueOnLoop { $0.end() } }
    }
}
