import Primitives

/// When the rest of a request body must have arrived. Each piece must follow the last within
/// `stallTimeout`, and the whole must average at least `minimumBytesPerSecond` after a grace of
/// `stallTimeout` from its start (Apache's `mod_reqtimeout` MinRate): each byte buys
/// 1/`minimumBytesPerSecond` s, so a body of N bytes is due `stallTimeout` + N/rate after its
/// start however it is trickled. This bounds how long a body holds its connection by its size
/// limit; a client that sends a burst and then a byte every stall timeout still holds it that
/// long. Time the server itself held the body paused does not count (`resumed`). Pure: the
/// caller passes the time.
struct RequestBodyDeadline: Sendable {
    /// The body's start, moved later by every pause.
    private(set) var startedAt: MonotonicInstant
    let stallTimeout: Duration
    /// 0 turns the rate floor off, leaving the stall timeout alone.
    let minimumBytesPerSecond: Int
    private(set) var receivedBytes = 0
    private var lastPieceAt: MonotonicInstant

    /// The highest rate floor whose arithmetic cannot overflow: a remainder below it, in
    /// nanoseconds, fits in an `Int64`.
    static let minimumBytesPerSecondMaximum = Int(Int64.max / 1_000_000_000)
    /// Seconds of earned time counted at most (about 136 years): beyond any stall deadline, and
    /// far inside what a `MonotonicInstant` can advance by.
    static let earnedSecondsMaximum = 1 << 32

    init(startedAt: MonotonicInstant, stallTimeout: Duration, minimumBytesPerSecond: Int) {
        precondition(minimumBytesPerSecond >= 0, "a negative transfer rate")
        precondition(minimumBytesPerSecond <= Self.minimumBytesPerSecondMaximum,
                     "a rate floor of \(minimumBytesPerSecond) bytes/s would overflow the deadline arithmetic")
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
        let seconds = min(receivedBytes / rate, Self.earnedSecondsMaximum)
        let earned = Duration.seconds(seconds) + .nanoseconds(Int64(receivedBytes % rate) * 1_000_000_000 / Int64(rate))
        return min(stall, initial.advanced(by: earned))
    }

    /// The server paused reading the body at `pausedAt` and reads it again at `now`: the pause
    /// counts neither as a stall nor against the rate floor. Returns the new deadline.
    mutating func resumed(pausedAt: MonotonicInstant, at now: MonotonicInstant) -> MonotonicInstant {
        startedAt = startedAt.advanced(by: pausedAt.duration(until: now))
        return received(0, at: now)
    }

    /// Why the deadline passed at `now`: a stall, or a body too slow on average.
    func reason(at now: MonotonicInstant) -> String {
        if lastPieceAt.duration(until: now) >= stallTimeout { return "request body stalled for \(stallTimeout)" }
        return "request body arrived slower than \(minimumBytesPerSecond) bytes per second"
    }
}
