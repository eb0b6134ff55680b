import Gateway
import Primitives
import Telemetry

/// Agent hellos a coordinator keeps while it cannot yet welcome them or
/// name the acting leader (`HelloRoute`), each until a deadline, at most
/// `maximum` at once. Every view Raft publishes re-decides them. A value:
/// the coordinator's `HeldHellos` locks it and runs what it hands back.
public struct HeldHelloTable {
    public typealias Resume = @Sendable (_ holdExpired: Bool) -> Void

    private struct Entry {
        let formerLeader: FormerLeader?
        let deadline: MonotonicInstant
        let resume: Resume
    }

    private var entries: [ObjectIdentifier: Entry] = [:]
    /// What the entries were last decided on; the same again with no
    /// deadline passed changes nothing, so the pass is skipped.
    private var decidedOn: HelloRoute.Knowledge?
    private var earliestDeadline: MonotonicInstant?

    public let maximum: Int
    public let holdFor: Duration

    public init(maximum: Int, holdFor: Duration) {
        precondition(maximum >= 0, "a table holds no hellos or some")
        self.maximum = maximum
        self.holdFor = holdFor
    }

    public var count: Int { entries.count }

    /// Holds the hello of connection `id`; false when the table is full (the
    /// caller answers at once instead). `resume` is handed back once, by
    /// `decide`, when the hello is decided or its hold expires.
    public mutating func hold(_ id: ObjectIdentifier, formerLeader: FormerLeader?, now: MonotonicInstant,
                              resume: @escaping Resume) -> Bool {
        guard entries.count < maximum || entries[id] != nil else { return false }
        let deadline = now.advanced(by: holdFor)
        entries[id] = Entry(formerLeader: formerLeader, deadline: deadline, resume: resume)
        earliestDeadline = min(earliestDeadline ?? deadline, deadline)
        decidedOn = nil
        assert(entries.count <= maximum)
        return true
    }

    /// Forgets connection `id`'s hello (its connection closed).
    public mutating func release(_ id: ObjectIdentifier) {
        entries.removeValue(forKey: id)
    }

    /// The held hellos that `knowledge` decides, or whose hold ran out, each
    /// with whether its hold expired; they leave the table. `knowledge` is
    /// worked out only when a hello is held.
    public mutating func decide(_ knowledge: @autoclosure () -> HelloRoute.Knowledge,
                                now: MonotonicInstant) -> [(resume: Resume, holdExpired: Bool)] {
        guard !entries.isEmpty else { return [] }
        let knowledge = knowledge()
        let deadlinePassed = earliestDeadline.map { now >= $0 } ?? false
        guard deadlinePassed || decidedOn != knowledge else { return [] }
        decidedOn = knowledge
        var due: [(resume: Resume, holdExpired: Bool)] = []
        var earliest: MonotonicInstant?
        for (id, entry) in entries {
            let expired = now >= entry.deadline
            if HelloRoute.decide(knowledge, formerLeader: entry.formerLeader, holdExpired: expired) == .hold {
                earliest = min(earliest ?? entry.deadline, entry.deadline)
            } else {
                due.append((entry.resume, expired))
                entries[id] = nil
            }
        }
        earliestDeadline = earliest
        return due
    }
}
