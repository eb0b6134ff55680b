import Cluster
import Gateway
import Locking
import Primitives
import Telemetry

/// Agent hellos this coordinator keeps while it cannot yet welcome them or
/// name the acting leader: a `HeldHelloTable` behind a lock. A decided
/// hello resumes on its own connection's loop. Safe from any thread.
final class HeldHellos: Sendable {
    private let table: Locked<HeldHelloTable>
    let maximum: Int
    let holdFor: Duration

    init(maximum: Int, holdFor: Duration) {
        table = Locked(HeldHelloTable(maximum: maximum, holdFor: holdFor))
        self.maximum = maximum
        self.holdFor = holdFor
    }

    var count: Int { table.withLock { $0.count } }

    /// Holds the hello of connection `id`; false when the table is full (the
    /// caller answers at once instead). `resume` runs once, from the thread
    /// that publishes views, when the hello is decided or its hold expires.
    func hold(_ id: ObjectIdentifier, formerLeader: FormerLeader?, now: MonotonicInstant,
              resume: @escaping HeldHelloTable.Resume) -> Bool {
        table.withLock { $0.hold(id, formerLeader: formerLeader, now: now, resume: resume) }
    }

    /// Forgets connection `id`'s hello (its connection closed).
    func release(_ id: ObjectIdentifier) {
        table.withLock { $0.release(id) }
    }

    /// Resumes every held hello that `knowledge` decides, or whose hold ran
    /// out; `knowledge` is worked out only when a hello is held.
    func decide(_ knowledge: @autoclosure () -> HelloRoute.Knowledge, now: MonotonicInstant) {
        let due = table.withLock { $0.decide(knowledge(), now: now) }
        for (resume, expired) in due { resume(expired) }
    }
}
