import Primitives

/// When the rest of a request body must have arrived. Each piece must follow the last within
/// `stallTimeout`, and the whole must average at least `minimumBytesPerSecond` after a grace of
/// `stallTimeout` from its start (Apache's `mod_reqtimeout` MinRate), so a client that sends one
/// byte just inside the stall timeout cannot hold a connection for long. Pure: the caller
/// passes the time.
struct RequestBodyDeadline: Sendable {
    let startedAt: MonotonicInstant
    let stallTimeout: Duration
    /// 0 turns the rate floor off, leaving the stall timeout alone.
    let minimumBytesPerSecond: Int
    private(set) var receivedBytes = 0
    private var lastPieceAt: MonotonicInstant

    init(startedAt: MonotonicInstant, stallTimeout: Duration, minimumBytesPerSecond: Int) {
        precondition(minimumBytesPerSecond >= 0, "a negative transfer rate")
        self.startedAt = startedAt
        self.stallTimeout = stallTimeout
        self.minimumBytesPerSecond = minimumBytesPerSecond
        lastPieceAt = startedAt
    }

    /// The deadline before any of the body arrived.
    var initial: MonotonicInstant { startedAt.advanced(by: stallTimeout) }

    /// Records `count` more bytes at `now` and returns the new deadline.
    mutating func received(_ count: Int, at now: MonotonicInstant) -> MonotonicInstant {
        receivedBytes += count
        lastPieceAt = now
        let stall = now.advanced(by: stallTimeout)
        guard minimumBytesPerSecond > 0 else { return stall }
        let rate = minimumBytesPerSecond
        let earned = Duration.seconds(receivedBytes / rate) + .nanoseconds(Int64(receivedBytes % rate) * 1_000_000_000 / Int64(rate))
        return min(stall, initial.advanced(by: earned))
    }

    /// Why the deadline passed at `now`: a stall, or a body too slow on average.
    func reason(at now: MonotonicInstant) -> String {
        if lastPieceAt.duration(until: now) >= stallTimeout { return "request body stalled for \(stallTimeout)" }
        return "request body arrived slower than \(minimumBytesPerSecond) bytes per second"
    }
}
