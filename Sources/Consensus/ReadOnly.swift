/// Linearizable reads waiting for the leader to confirm it still leads (ReadIndex,
/// dissertation §6.4): each request remembers the commit index when it arrived, and is answered
/// once a quorum has answered a heartbeat sent after it. Requests are numbered; heartbeats carry
/// the newest number in `context`, and an acknowledgement of number n releases every request
/// up to n.
struct ReadOnly: Sendable {
    /// Bound on reads waiting for a heartbeat round (or for the leader's first commit).
    static let pendingMaximum = 4096
    /// A read request's context (the caller's identity for it): bounded, so that a full queue
    /// of requests from followers stays small.
    static let contextBytesMaximum = 256

    struct Request: Sendable {
        var sequence: UInt64
        var index: UInt64
        var requester: NodeID
        var context: [UInt8]
        var acks: [NodeID]
    }

    /// A read that arrived before the new leader committed an entry of its term.
    struct Deferred: Sendable {
        var requester: NodeID
        var context: [UInt8]
    }

    private(set) var pending: [Request] = []
    private(set) var deferred: [Deferred] = []
    private var nextSequence: UInt64 = 1

    var isFull: Bool { pending.count + deferred.count >= ReadOnly.pendingMaximum }

    /// The context the next heartbeat carries: the newest request's number, or empty.
    var heartbeatContext: [UInt8] {
        pending.last.map { ReadOnly.encode($0.sequence) } ?? []
    }

    mutating func add(index: UInt64, requester: NodeID, context: [UInt8]) {
        precondition(!isFull, "callers check isFull before queueing a read")
        pending.append(Request(sequence: nextSequence, index: index, requester: requester, context: context, acks: []))
        nextSequence += 1
    }

    mutating func deferUntilCommit(requester: NodeID, context: [UInt8]) {
        precondition(!isFull, "callers check isFull before queueing a read")
        deferred.append(Deferred(requester: requester, context: context))
    }

    mutating func takeDeferred() -> [Deferred] {
        defer { deferred = [] }
        return deferred
    }

    /// Records `from`'s answer to the heartbeat carrying `context`; returns that request's
    /// number when it names a pending request.
    mutating func recordAck(from id: NodeID, context: [UInt8]) -> UInt64? {
        guard let sequence = ReadOnly.decode(context),
            let position = pending.firstIndex(where: { $0.sequence == sequence })
        else { return nil }
        if !pending[position].acks.contains(id) { pending[position].acks.append(id) }
        return sequence
    }

    func acks(of sequence: UInt64) -> [NodeID] {
        pending.first { $0.sequence == sequence }?.acks ?? []
    }

    /// Removes and returns every request up to and including `sequence`, oldest first.
    mutating func release(through sequence: UInt64) -> [Request] {
        guard let position = pending.firstIndex(where: { $0.sequence == sequence }) else { return [] }
        let released = Array(pending[...position])
        pending.removeFirst(position + 1)
        assert(pending.allSatisfy { $0.sequence > sequence })
        return released
    }

    mutating func reset() {
        pending = []
        deferred = []
    }

    static func encode(_ sequence: UInt64) -> [UInt8] {
        (0..<8).map { UInt8(truncatingIfNeeded: sequence >> UInt64(56 - 8 * $0)) }
    }

    static func decode(_ bytes: [UInt8]) -> UInt64? {
        guard bytes.count == 8 else { return nil }
        return bytes.reduce(0) { $0 << 8 | UInt64($1) }
    }
}
