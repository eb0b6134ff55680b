import Gateway
import Locking
import Telemetry
import Transport

/// Agent hellos this coordinator keeps while it cannot yet welcome them or
/// name the acting leader (`HelloRoute`), each until a deadline, at most
/// `maximum` at once. Every view Raft publishes re-decides them; a decided
/// hello resumes on its own connection's loop. Safe from any thread.
final class HeldHellos: Sendable {
    private struct Entry {
        let formerLeader: FormerLeader?
        let deadline: MonotonicInstant
        let resume: @Sendable (_ holdExpired: Bool) -> Void
    }

    private struct State {
        var entries: [ObjectIdentifier: Entry] = [:]
        /// What the entries were last decided on; the same again with no
        /// deadline passed changes nothing, so the pass is skipped.
        var decidedOn: HelloRoute.Knowledge?
        var earliestDeadline: MonotonicInstant?
    }

    let maximum: Int
    let holdFor: Duration
    private let state = Locked(State())

    init(maximum: Int, holdFor: Duration) {
        self.maximum = maximum
        self.holdFor = holdFor
    }

    var count: Int { state.withLock { $0.entries.count } }

    /// Holds the hello of connection `id`; false when the table is full (the
    /// caller answers at once instead). `resume` runs once, from the thread
    /// that publishes views, when the hello is decided or its hold expires.
    func hold(_ id: ObjectIdentifier, formerLeader: FormerLeader?, now: MonotonicInstant,
              resume: @escaping @Sendable (_ holdExpired: Bool) -> Void) -> Bool {
        let deadline = now.advanced(by: holdFor)
        return state.withLock { state in
            guard state.entries.count < maximum || state.entries[id] != nil else { return false }
            state.entries[id] = Entry(formerLeader: formerLeader, deadline: deadline, resume: resume)
            state.earliestDeadline = min(state.earliestDeadline ?? deadline, deadline)
            state.decidedOn = nil
            return true
        }
    }

    /// Forgets connection `id`'s hello (its connection closed).
    func release(_ id: ObjectIdentifier) {
        state.withLock { _ = $0.entries.removeValue(forKey: id) }
    }

    /// Resumes every held hello that `knowledge` decides, or whose hold ran
    /// out; `knowledge` is worked out only when a hello is held.
    func decide(_ knowledge: @autoclosure () -> HelloRoute.Knowledge, now: MonotonicInstant) {
        let due: [(Entry, Bool)] = state.withLock { state in
            guard !state.entries.isEmpty else { return [] }
            let knowledge = knowledge()
            let deadlinePassed = state.earliestDeadline.map { now >= $0 } ?? false
            guard deadlinePassed || state.decidedOn != knowledge else { return [] }
            state.decidedOn = knowledge
            var due: [(Entry, Bool)] = []
            var earliest: MonotonicInstant?
            for (id, entry) in state.entries {
                let expired = now >= entry.deadline
                if HelloRoute.decide(knowledge, formerLeader: entry.formerLeader, holdExpired: expired) == .hold {
                    earliest = min(earliest ?? entry.deadline, entry.deadline)
                } else {
                    due.append((entry, expired))
                    state.entries[id] = nil
                }
            }
            state.earliestDeadline = earliest
            return due
        }
        for (entry, expired) in due { entry.resume(expired) }
    }
}
