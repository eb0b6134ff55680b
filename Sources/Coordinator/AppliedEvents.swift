import Fleet

/// The events of the entries the Raft loop applies, held until a `process` pass has applied
/// them all and published the view they come from, then recorded in the `EventHub` through the
/// applied index. A snapshot installed in the pass restarts the hub at that point too, not
/// before: a stream opened in between is checked against a view that holds the snapshot. A
/// pass that applied nothing since the last record (most ticks) records nothing: the hub's
/// lock is not taken. Confined to the Raft loop.
struct AppliedEvents {
    private var events: [FleetEvent] = []
    /// The index of a snapshot installed since the last record, where the hub restarts.
    private var restartIndex: UInt64?
    private var recordedThrough: UInt64 = 0

    mutating func append(_ event: FleetEvent) {
        events.append(event)
    }

    /// Forgets the held events: a snapshot at `index` replaced the state they came from, and
    /// the hub restarts there at the next record.
    mutating func restart(at index: UInt64) {
        events = []
        restartIndex = index
    }

    /// Records the held events in `hub` through `appliedIndex`, unless nothing applied since the last record.
    mutating func record(in hub: EventHub, through appliedIndex: UInt64) {
        if let index = restartIndex {
            hub.restart(at: index)
            restartIndex = nil
        }
        guard appliedIndex != recordedThrough || !events.isEmpty else { return }
        hub.record(events, through: appliedIndex)
        events = []
        recordedThrough = appliedIndex
    }
}
