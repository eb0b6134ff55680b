import Synchronization

/// A monotonically increasing count (requests served, bytes sent), updated without locks.
/// Obtain one from `MetricsRegistry.counter(_:help:labels:)`.
public final class Counter: Sendable {
    private let count = Atomic<Int>(0)

    init() {}

    /// Adds `amount`, which must not be negative: counters only go up.
    public func increment(by amount: Int = 1) {
        precondition(amount >= 0, "a counter cannot decrease (increment by \(amount))")
        count.wrappingAdd(amount, ordering: .relaxed)
    }

    /// The current count.
    public var value: Int {
        count.load(ordering: .relaxed)
    }
}
