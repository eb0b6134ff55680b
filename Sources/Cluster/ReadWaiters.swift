import Primitives

/// Linearizable reads waiting on this coordinator (etcd's ReadIndex): the reads that arrive
/// together share one read index, asked of Raft in one request; each is answered once this
/// node has applied the index the leader confirmed. Bounded, and every read has a deadline.
public struct ReadWaiters {
    public typealias Completion = @Sendable (ReadAnswer) -> Void

    private struct Waiter {
        let deadline: MonotonicInstant
        let completion: Completion
    }

    private struct Confirmed {
        let index: UInt64
        let waiters: [Waiter]
    }

    public static let pendingMaximum = 4_096
    public static let contextBytes = 8

    private var unrequested: [Waiter] = []
    private var requested: [UInt64: [Waiter]] = [:]
    private var confirmed: [Confirmed] = []
    private var nextReadID: UInt64
    public private(set) var count = 0

    public init(firstReadID: UInt64) {
        nextReadID = firstReadID
    }

    public var hasUnrequested: Bool { !unrequested.isEmpty }

    /// False when `pendingMaximum` reads already wait.
    public mutating func add(deadline: MonotonicInstant, completion: @escaping Completion) -> Bool {
        guard count < Self.pendingMaximum else { return false }
        unrequested.append(Waiter(deadline: deadline, completion: completion))
        count += 1
        return true
    }

    /// Moves the reads that arrived since the last batch under a new read id; returns the
    /// context to ask Raft with, or nil when no read waits.
    public mutating func startBatch() -> (id: UInt64, context: [UInt8])? {
        guard !unrequested.isEmpty else { return nil }
        let id = nextReadID
        nextReadID += 1
        requested[id] = unrequested
        unrequested = []
        var writer = BinaryWriter()
        writer.write(id)
        assert(writer.bytes.count == Self.contextBytes)
        return (id, writer.bytes)
    }

    /// Raft refused the batch's request (no leader known, its read queue full).
    public mutating func failBatch(_ id: UInt64) -> [Completion] {
        take(requested.removeValue(forKey: id) ?? [])
    }

    /// Raft confirmed `index` for the batch named by `context`. False when the context names no
    /// waiting batch (it timed out, or the leader echoed something this node never sent).
    public mutating func confirm(context: [UInt8], index: UInt64) -> Bool {
        guard context.count == Self.contextBytes else { return false }
        let id = context.reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        guard let waiters = requested.removeValue(forKey: id) else { return false }
        confirmed.append(Confirmed(index: index, waiters: waiters))
        return true
    }

    /// The reads whose index this node has applied.
    public mutating func releaseApplied(through applied: UInt64) -> [Completion] {
        var released: [Waiter] = []
        confirmed.removeAll { batch in
            guard batch.index <= applied else { return false }
            released += batch.waiters
            return true
        }
        return take(released)
    }

    /// The leader changed: requests sent to the old one may never be answered, so ask again.
    public mutating func requeueRequested() {
        for id in requested.keys.sorted() { unrequested += requested[id]! }
        requested.removeAll()
    }

    public mutating func expire(now: MonotonicInstant) -> [Completion] {
        var expired: [Waiter] = []
        unrequested.removeAll { waiter in
            guard waiter.deadline <= now else { return false }
            expired.append(waiter)
            return true
        }
        for (id, waiters) in requested {
            let (late, waiting) = (waiters.filter { $0.deadline <= now }, waiters.filter { $0.deadline > now })
            expired += late
            requested[id] = waiting.isEmpty ? nil : waiting
        }
        confirmed = confirmed.compactMap { batch in
            expired += batch.waiters.filter { $0.deadline <= now }
            let waiting = batch.waiters.filter { $0.deadline > now }
            return waiting.isEmpty ? nil : Confirmed(index: batch.index, waiters: waiting)
        }
        return take(expired)
    }

    public mutating func failAll() -> [Completion] {
        let all = unrequested + requested.values.flatMap { $0 } + confirmed.flatMap(\.waiters)
        unrequested = []
        requested = [:]
        confirmed = []
        return take(all)
    }

    private mutating func take(_ waiters: [Waiter]) -> [Completion] {
        count -= waiters.count
        assert(count >= 0)
        return waiters.map(\.completion)
    }
}

/// How a read of replicated state ends: the view it may be answered from, or a refusal.
public enum ReadAnswer: Sendable {
    case view(ClusterView)
    case refused(ClusterRefusal)
}
