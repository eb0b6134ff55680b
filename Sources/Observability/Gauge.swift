import Locking

/// A value that goes up and down (open connections, queue depth).
/// Obtain one from `MetricsRegistry.gauge(_:help:labels:)`.
public final class Gauge: Sendable {
    private let current = Locked<Double>(0)

    init() {}

    /// Replaces the value.
    public func set(_ v: Double) {
        current.withLock { $0 = v }
    }

    /// Adds `d`, which may be negative.
    public func add(_ d: Double) {
        current.withLock { $0 += d }
    }

    /// The current value.
    public var value: Double {
        current.withLock { $0 }
    }
}
