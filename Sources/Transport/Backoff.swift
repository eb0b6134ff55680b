import Primitives

/// Jittered exponential backoff for reconnects: the delay doubles from
/// `initial` up to `maximum`, and each delay is drawn uniformly from
/// [delay/2, delay] ("equal jitter") so a fleet does not reconnect in lockstep.
/// Deterministic for a given seed.
public struct Backoff: Sendable {
    public let initial: Duration
    public let maximum: Duration
    private var nextCeiling: Duration
    private var random: SplitMix64

    public init(initial: Duration = .milliseconds(100), maximum: Duration = .seconds(5), seed: UInt64) {
        precondition(initial > .zero && maximum >= initial, "backoff needs 0 < initial <= maximum")
        self.initial = initial
        self.maximum = maximum
        nextCeiling = initial
        random = SplitMix64(seed: seed)
    }

    /// The delay before the next attempt; each call backs off further.
    public mutating func nextDelay() -> Duration {
        let ceiling = nextCeiling.wholeNanoseconds
        let floor = ceiling / 2
        let delay = floor + random.next() % (ceiling - floor + 1)
        nextCeiling = min(nextCeiling * 2, maximum)
        return .nanoseconds(Int64(delay))
    }

    /// After a successful connection the next failure starts from `initial` again.
    public mutating func reset() {
        nextCeiling = initial
    }
}
