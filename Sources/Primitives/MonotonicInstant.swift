/// A point on the monotonic clock, in nanoseconds since boot. Deadlines,
/// timeouts and the leader lease use it so wall-clock jumps never fire or
/// stall them. It is `CLOCK_BOOTTIME`, not `CLOCK_MONOTONIC`: the latter
/// stops while the host is suspended, so a leader suspended past its lease
/// would wake believing it still held it (Docs/CONSENSUS.md, "The lease").
/// Reading the clock is the shell's (`Transport`'s `MonotonicInstant.now()`);
/// this value is all the pure targets see of it.
public struct MonotonicInstant: Comparable, Hashable, Sendable {
    public let nanoseconds: UInt64

    public init(nanoseconds: UInt64) {
        self.nanoseconds = nanoseconds
    }

    public static func < (lhs: MonotonicInstant, rhs: MonotonicInstant) -> Bool {
        lhs.nanoseconds < rhs.nanoseconds
    }

    public func advanced(by duration: Duration) -> MonotonicInstant {
        MonotonicInstant(nanoseconds: nanoseconds &+ duration.wholeNanoseconds)
    }

    /// Time from `self` until `later`, zero if `later` is not after `self`.
    public func duration(until later: MonotonicInstant) -> Duration {
        later.nanoseconds > nanoseconds ? .nanoseconds(Int64(later.nanoseconds - nanoseconds)) : .zero
    }
}

extension Duration {
    /// The duration in whole nanoseconds, clamped at zero.
    public var wholeNanoseconds: UInt64 {
        guard self > .zero else { return 0 }
        let (seconds, attoseconds) = components
        return UInt64(seconds) * 1_000_000_000 + UInt64(attoseconds / 1_000_000_000)
    }

    /// The duration in whole milliseconds, clamped at zero.
    public var wholeMilliseconds: Int64 {
        Int64(wholeNanoseconds / 1_000_000)
    }
}
