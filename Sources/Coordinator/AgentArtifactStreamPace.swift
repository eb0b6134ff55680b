import Primitives

/// How an artifact transfer to an agent keeps pace with its connection (Docs/PROTOCOL.md, "Module
/// artifacts (agent port)"): a frame is handed to the connection only while less than its
/// low-water mark waits unsent, so the transfer never fills the write queue to the high-water mark
/// at which the connection stops reading the agent (its reports, results and pings go on being
/// read). The connection says nothing when its queue drains without having paused, so the stream
/// looks again after `retry`, from `retryFirst` doubling to `retryLast` while nothing could be
/// sent. Once begun, the transfer must average `minimumBytesPerSecond` after `grace`, else it is
/// too slow (an agent that stopped reading would hold its slot for ever). Pure; the stream's loop
/// owns it.
struct AgentArtifactStreamPace {
    static let retryFirst: Duration = .milliseconds(1)
    static let retryLast: Duration = .milliseconds(64)
    static let grace: Duration = .seconds(60)
    static let minimumBytesPerSecond: UInt64 = 64 << 10

    let begun: MonotonicInstant
    private(set) var bytesSent: UInt64 = 0
    /// How long to wait before looking at the queue again.
    private(set) var retry = Self.retryFirst

    init(begun: MonotonicInstant) {
        self.begun = begun
    }

    /// Whether a frame may go out while `queuedBytes` wait unsent on a connection whose low-water mark is `lowWater`.
    static func maySend(queuedBytes: Int, lowWater: Int) -> Bool {
        queuedBytes < lowWater
    }

    /// A frame of `bytes` went out: the next wait starts short again.
    mutating func sent(_ bytes: Int) {
        bytesSent += UInt64(bytes)
        retry = Self.retryFirst
    }

    /// Nothing could be sent: the wait after this one is longer.
    mutating func waited() {
        retry = min(retry * 2, Self.retryLast)
    }

    /// Whether the transfer fell under its floor at `now`.
    func isTooSlow(at now: MonotonicInstant) -> Bool {
        let elapsed = begun.duration(until: now)
        guard elapsed > Self.grace else { return false }
        let counted = (elapsed - Self.grace).components
        let owed = UInt64(counted.seconds) * Self.minimumBytesPerSecond
            + UInt64(counted.attoseconds / 1_000_000_000_000_000) * Self.minimumBytesPerSecond / 1_000
        return bytesSent < owed
    }
}
