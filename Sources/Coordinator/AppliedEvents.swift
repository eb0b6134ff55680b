import Fleet

/// The events of the entries the Raft loop applies, held until a `process` pass has applied
/// them all, then recorded in the `EventHub` through the applied index. A pass that applied
/// nothing since the last record (most ticks) records nothing: the hub's lock is not taken.
/// Confined to the Raft loop.
struct AppliedEvents {
    private var events: [FleetEvent] = []
    private var recordedThrough: UInt64 = 0

    mutating func append(_ event: FleetEvent) {
        events.append(event)
    }

    /// Forgets the held events: a snapshot replaced the state they came from.
    mutating func discard() {
        events = []
    }

    /// Records the held events in `hub` through `appliedIndex`, unless nothing applied since the last record.
    mutating func record(in hub: EventHub, through appliedIndex: UInt64) {
        guard appliedIndex != recordedThrough || !events.isEmpty else { return }
        hub.record(events, through: appliedIndex)
        events = []
        recordedThrough = appliedIndex
    }
}
