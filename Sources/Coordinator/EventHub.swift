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
/// dropped: its stream ends and its connection closes.
final class EventHub: Sendable {
    struct Limits: Sendable {
        var subscribersMaximum = 256
        var backlogEventsMaximum = 1_024
        var backlogBytesMaximum = 1 << 20
        /// Bytes read from the journal for one chunk of a stream.
        var chunkBytesMaximum = 64 << 10
        var heartbeatInterval: Duration = .seconds(15)
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

    private struct Slot {
        let subscriber: LoopBound<EventSubscriber>
        var cursor: UInt64
        let kinds: Set<FleetEvent.Kind>?
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
    }

    let limits: Limits
    private let state: Locked<State>
    private let dropped: Counter

    init(appliedIndex: UInt64, limits: Limits = Limits(), metrics: MetricsRegistry) {
        self.limits = limits
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

    /// Records the events of the entries applied up to `appliedIndex` and wakes the streams.
    /// On the Raft loop; takes the lock once and never waits for a stream.
    func record(_ events: [FleetEvent], through appliedIndex: UInt64) {
        let entries = events.map(EventJournal.Entry.init)
        let woken = state.withLock { state in
            state.journal.record(entries, through: appliedIndex)
            return entries.isEmpty ? [] : Self.wake(&state, limits: limits)
        }
        for subscriber in woken { subscriber.withValueOnLoop { $0.flush() } }
    }

    /// The state was replaced by a snapshot at `index`: every stream before it is told to reset.
    func restart(at index: UInt64) {
        let woken = state.withLock { state in
            state.journal.restart(at: index)
            return Self.wake(&state, limits: limits)
        }
        for subscriber in woken { subscriber.withValueOnLoop { $0.flush() } }
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

    /// Opens a stream for a client that last saw `lastEventID`: its first message (open or
    /// reset), or the refusal when the hub is full or shutting down.
    func subscribe(_ subscriber: EventSubscriber, lastEventID: UInt64?,
                   kinds: Set<FleetEvent.Kind>?) -> Result<(id: UInt64, first: [UInt8]), HTTPReply> {
        let bound = LoopBound(subscriber, loop: subscriber.loop)
        return state.withLock { state in
            guard !state.isClosed else {
                return .failure(.error(503, "shutting_down", "this coordinator is shutting down; connect to another"))
            }
            guard state.slots.count < limits.subscribersMaximum else {
                return .failure(.error(503, "too_many_subscribers", "this coordinator streams events to at most "
                                       + "\(limits.subscribersMaximum) clients; retry later or on another", retryAfterSeconds: 5))
            }
            let id = state.nextID
            state.nextID += 1
            let first: [UInt8], cursor: UInt64
            switch state.journal.resume(lastEventID: lastEventID) {
            case let .after(position):
                (cursor, first) = (position, EventStreamText.open(after: position, appliedIndex: state.journal.appliedIndex))
            case let .reset(position):
                (cursor, first) = (position, EventStreamText.reset(lastEventID: lastEventID ?? 0, after: position))
            }
            state.slots[id] = Slot(subscriber: bound, cursor: cursor, kinds: kinds)
            return .success((id, first))
        }
    }

    /// The next step of stream `id`, on its loop: the bytes to send (events, or a reset when it
    /// fell behind what is held), nothing for now, a drop, or the end (shutdown, or gone).
    func next(_ id: UInt64) -> Step {
        state.withLock { state in
            guard var slot = state.slots[id] else { return .end }
            guard !slot.isDropped else { return .drop }
            guard !state.isClosed else { return .end }
            slot.isWakeScheduled = false
            slot.isBlocked = false
            defer { state.slots[id] = slot }
            switch state.journal.read(after: slot.cursor, kinds: slot.kinds, maximumBytes: limits.chunkBytesMaximum) {
            case let .entries(entries, cursor):
                slot.cursor = cursor
                return entries.isEmpty ? .idle : .send(entries.flatMap(\.frame))
            case let .behind(position):
                let reset = EventStreamText.reset(lastEventID: slot.cursor, after: position)
                slot.cursor = position
                return .send(reset)
            }
        }
    }

    /// Stream `id`'s connection stopped taking bytes: true if it is to be dropped now.
    func block(_ id: UInt64) -> Bool {
        state.withLock { state in
            guard let slot = state.slots[id] else { return false }
            let isOver = state.journal.isBacklogOver(after: slot.cursor, maximumEvents: limits.backlogEventsMaximum,
                                                     maximumBytes: limits.backlogBytesMaximum)
            state.slots[id]?.isBlocked = !isOver
            return isOver
        }
    }

    /// Forgets stream `id` (it ended); `wasDropped` counts it as a slow subscriber.
    func remove(_ id: UInt64, wasDropped: Bool) {
        state.withLock { _ = $0.slots.removeValue(forKey: id) }
        if wasDropped { dropped.increment() }
    }

    /// At shutdown: refuses new streams and ends every open one on its loop (before the API's
    /// connections are drained, so they close within the drain bound).
    func close() {
        let open = state.withLock { state in
            state.isClosed = true
            return state.slots.values.map(\.subscriber)
        }
        for subscriber in open { subscriber.withValueOnLoop { $0.flush() } }
    }
}
