import Primitives
import Testing
import Transport

/// Samples a cut-off leader's `GET /api/v1/cluster` from the moment of the cut
/// and checks each answer against what the lease allows: once `leaseBound`
/// has passed since the cut it must not act as leader while cut off, and
/// after the heal it must never act as leader for its old term. Also notes
/// when it was last seen acting, first seen not acting and first seen not
/// leading, for the test's report.
final class IsolatedLeaderWatch {
    let member: String
    let oldTerm: Int
    let leaseBound: Duration
    /// Taken once the cut has been made, so it is never earlier than the cut.
    let cutAt = ContinuousClock.now
    private let cluster: PartitionCluster
    private var isHealed = false

    private(set) var lastSeenActing: (since: Duration, view: MemberView)?
    private(set) var firstSeenNotActing: Duration?
    private(set) var firstSeenNotLeading: Duration?
    /// Answers to requests made after `cutAt + leaseBound` while still cut off.
    private(set) var samplesPastLeaseBound = 0

    init(cluster: PartitionCluster, member: String, oldTerm: Int, leaseBound: Duration) {
        self.cluster = cluster
        self.member = member
        self.oldTerm = oldTerm
        self.leaseBound = leaseBound
    }

    var elapsed: Duration { ContinuousClock.now - cutAt }

    /// The partition is over: from now on only acting for the old term is wrong.
    func healed() { isHealed = true }

    @discardableResult
    func sample() -> MemberView? {
        let asked = elapsed
        guard let view = cluster.view(on: member) else { return nil }
        let answered = elapsed
        if view.actingAsLeader {
            lastSeenActing = (asked, view)
        } else if firstSeenNotActing == nil {
            firstSeenNotActing = answered
        }
        if view.role != "leader", firstSeenNotLeading == nil { firstSeenNotLeading = answered }
        if isHealed {
            #expect(!(view.actingAsLeader && view.term == oldTerm),
                    "\(member) acts as leader for its old term \(oldTerm) after the heal: \(view)")
        } else if asked >= leaseBound {
            samplesPastLeaseBound += 1
            #expect(!view.actingAsLeader,
                    "\(member) still acts as leader \(asked) after being cut off (bound \(leaseBound)): \(view)")
        }
        return view
    }

    /// What was seen, in milliseconds since the cut, for the test's report.
    var summary: String {
        func since(_ duration: Duration?) -> String { duration.map { "+\($0.wholeMilliseconds) ms" } ?? "never" }
        let acting = lastSeenActing.map {
            "last seen acting at +\($0.since.wholeMilliseconds) ms (lease left \($0.view.leaseRemainingMilliseconds) ms)"
        } ?? "never seen acting after the cut"
        return "\(member) \(acting), first seen not acting by \(since(firstSeenNotActing)), "
            + "seen stepped down by \(since(firstSeenNotLeading))"
    }
}
