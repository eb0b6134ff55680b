import Primitives

/// Which recorded module artifacts this coordinator still has to fetch from another member, and
/// when (Docs/MODULES.md, "Artifacts on every coordinator"), as a pure state machine: the caller
/// hands it the digests the applied module records name and the ones its store holds, asks it
/// what to fetch next, and tells it how each fetch ended. One fetch runs at a time; a failed
/// digest waits a backoff that doubles from `retryInitial` to `retryMaximum` and is then retried
/// at that pace for as long as a record names it — nothing is given up silently (each failure is
/// returned for the caller to log). A digest no record names any more is dropped, the running
/// fetch included. Bounded by the module record table (`bound` digests). A fetch whose transfer
/// has not begun after `beginMaximum` fails (the member may first read the whole artifact to
/// check it, and queue it behind other transfers); once begun, one that reports no progress for
/// `stallMaximum` fails. Digests are the 32 sha256 bytes.
public struct ArtifactFetchPlan: Sendable {
    public static let retryInitial: Duration = .seconds(1)
    public static let retryMaximum: Duration = .seconds(60)
    public static let stallMaximum: Duration = .seconds(30)
    public static let beginMaximum: Duration = .seconds(120)

    /// A fetch to start: ask a member for `digest`; `attempt` counts from 1 (failures before it + 1).
    public struct Start: Equatable, Sendable {
        public let serial: UInt64
        public let digest: [UInt8]
        public let attempt: Int
    }

    /// A fetch that failed, for the caller's log: how many times this digest failed in a row and
    /// how long it waits before the next attempt.
    public struct Failure: Equatable, Sendable {
        public let digest: [UInt8]
        public let failures: Int
        public let retryIn: Duration
    }

    private struct Waiting: Sendable {
        var failures = 0
        /// Not attempted again before this; nil when never failed.
        var notBefore: MonotonicInstant?
    }

    private struct Running: Sendable {
        let serial: UInt64
        let digest: [UInt8]
        /// When it started, then when its transfer began, then when bytes last came.
        var lastProgressAt: MonotonicInstant
        var hasBegun = false
    }

    public let bound: Int
    private var missing: [[UInt8]: Waiting] = [:]
    private var running: Running?
    private var nextSerial: UInt64 = 1

    public init(bound: Int) {
        precondition(bound > 0, "a fetch plan needs room for at least one digest")
        self.bound = bound
    }

    /// Digests recorded but not held (the running fetch's included).
    public var missingCount: Int { missing.count }
    public var missingDigests: [[UInt8]] { missing.keys.sorted { $0.lexicographicallyPrecedes($1) } }
    /// The digest being fetched, if any.
    public var fetching: [UInt8]? { running?.digest }

    /// Takes the digests the applied records name (`recorded`) and those the store holds: the
    /// missing ones are added (past `bound`, the lowest `bound` digests are kept), held or
    /// unrecorded ones dropped with their failure counts. Returns the running fetch's serial
    /// when no record names its digest any more (it is forgotten; the caller abandons it).
    @discardableResult
    public mutating func update(recorded: Set<[UInt8]>, held: Set<[UInt8]>) -> UInt64? {
        var wanted = recorded.subtracting(held)
        if wanted.count > bound {
            wanted = Set(wanted.sorted { $0.lexicographicallyPrecedes($1) }.prefix(bound))
        }
        missing = missing.filter { wanted.contains($0.key) }
        for digest in wanted where missing[digest] == nil { missing[digest] = Waiting() }
        guard let running, !recorded.contains(running.digest) else { return nil }
        self.running = nil
        return running.serial
    }

    /// The fetch to start now, if none runs and a missing digest is due: never-failed digests
    /// first, then the one whose wait ended first; ties by digest order.
    public mutating func next(now: MonotonicInstant) -> Start? {
        guard running == nil else { return nil }
        let due = missing.filter { $0.value.notBefore.map { $0 <= now } ?? true }
        let chosen = due.min { left, right in
            switch (left.value.notBefore, right.value.notBefore) {
            case (nil, .some): true
            case (.some, nil): false
            case let (.some(a), .some(b)) where a != b: a < b
            default: left.key.lexicographicallyPrecedes(right.key)
            }
        }
        guard let chosen else { return nil }
        defer { nextSerial += 1 }
        running = Running(serial: nextSerial, digest: chosen.key, lastProgressAt: now)
        return Start(serial: nextSerial, digest: chosen.key, attempt: chosen.value.failures + 1)
    }

    /// The running fetch `serial` moved (bytes arrived); false when it is not the running one.
    @discardableResult
    public mutating func progressed(_ serial: UInt64, now: MonotonicInstant) -> Bool {
        guard running?.serial == serial else { return false }
        running?.lastProgressAt = now
        return true
    }

    /// The running fetch `serial`'s transfer began: from now on it must progress every
    /// `stallMaximum`. False when it is not the running one, or its transfer already began
    /// (a second transfer for one fetch is not admitted).
    @discardableResult
    public mutating func began(_ serial: UInt64, now: MonotonicInstant) -> Bool {
        guard running?.serial == serial, running?.hasBegun == false else { return false }
        running?.hasBegun = true
        running?.lastProgressAt = now
        return true
    }

    /// Whether `serial` is the fetch running now.
    public func isRunning(_ serial: UInt64) -> Bool { running?.serial == serial }

    /// The running fetch `serial` stored its artifact; false when it is not the running one.
    @discardableResult
    public mutating func succeeded(_ serial: UInt64) -> Bool {
        guard let running, running.serial == serial else { return false }
        self.running = nil
        missing[running.digest] = nil
        return true
    }

    /// The running fetch `serial` failed; nil when it is not the running one (already ended).
    public mutating func failed(_ serial: UInt64, now: MonotonicInstant) -> Failure? {
        guard let running, running.serial == serial else { return nil }
        self.running = nil
        guard var waiting = missing[running.digest] else { return nil }
        waiting.failures += 1
        let retryIn = Self.backoff(afterFailures: waiting.failures)
        waiting.notBefore = now.advanced(by: retryIn)
        missing[running.digest] = waiting
        return Failure(digest: running.digest, failures: waiting.failures, retryIn: retryIn)
    }

    /// The running fetch's serial when by `now` its transfer did not begin within `beginMaximum`
    /// of its start, or, begun, made no progress for `stallMaximum`.
    public func stalled(now: MonotonicInstant) -> UInt64? {
        guard let running else { return nil }
        let limit = running.hasBegun ? Self.stallMaximum : Self.beginMaximum
        return running.lastProgressAt.duration(until: now) > limit ? running.serial : nil
    }

    /// `retryInitial` doubled per failure after the first, capped at `retryMaximum`.
    public static func backoff(afterFailures failures: Int) -> Duration {
        var wait = retryInitial
        for _ in 1..<max(failures, 1) {
            wait = wait * 2
            if wait >= retryMaximum { return retryMaximum }
        }
        return min(wait, retryMaximum)
    }
}
