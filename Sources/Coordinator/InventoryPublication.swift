import Primitives

/// When the Raft loop puts the node inventory into the published view: after it changed, at
/// most every `interval`. The view shares the table's storage, so the next inventory change
/// copies it whole: publishing after every change would cost O(nodes) per write, O(nodes²)
/// while a fleet of agents first attaches. A removal is published at once: its answer waits
/// for the view, and removals are rare operator actions.
struct InventoryPublication {
    static let interval: Duration = .milliseconds(100)

    private var changed = true
    private var publishedAt = MonotonicInstant(nanoseconds: 0)

    /// The inventory changed; `immediately` skips the interval for the next publish.
    mutating func noteChanged(immediately: Bool = false) {
        changed = true
        if immediately { publishedAt = MonotonicInstant(nanoseconds: 0) }
    }

    /// Whether to publish the inventory at `now`; if so, it counts as published.
    mutating func isDue(at now: MonotonicInstant) -> Bool {
        guard changed, publishedAt.duration(until: now) >= Self.interval else { return false }
        changed = false
        publishedAt = now
        return true
    }
}
