@testable import Coordinator
import Consensus
import Testing

/// `--election-timeout-ticks` starts where Raft accepts the coordinator's configuration: with the
/// coordinator's heartbeat and clock-drift bound, the lease of the least election timeout outlasts
/// a heartbeat, and one tick less would leave a coordinator that refuses to start.
struct ElectionTimeoutRangeTests {
    @Test func theLeastElectionTimeoutLeavesALeaseLongerThanAHeartbeat() {
        let settings = RaftService.Settings()
        let least = CoordinatorConfiguration.electionTimeoutTicksRange.lowerBound
        let lease = { (ticks: Int) in
            Lease.durationTicks(electionTimeoutTicks: ticks, clockDriftBoundPercent: settings.clockDriftBoundPercent)
        }
        #expect(lease(least) > settings.heartbeatIntervalTicks)
        #expect(lease(least - 1) <= settings.heartbeatIntervalTicks)
        #expect(CoordinatorConfiguration.electionTimeoutTicksRange.upperBound <= RaftConfiguration.electionTimeoutTicksMaximum)
    }
}
