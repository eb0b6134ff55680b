import Telemetry
import Testing

struct CPUUtilizationTests {
    @Test func capturedSnapshotsGiveBusyOverTotalOfTheDeltas() throws {
        let earlier = try ProcStat.parse(CapturedProc.stat).aggregate
        let later = try ProcStat.parse(CapturedProc.statLater).aggregate
        let utilization = try #require(CPUUtilization.between(earlier, later))
        #expect(utilization.busyTicks == 28_074 + 5_250 + 122 + 106)
        #expect(utilization.elapsedTicks == 45_816)
        #expect(utilization.busyBasisPoints == 7_323)
        #expect(abs(utilization.busyFraction - 0.732_32) < 0.000_01)
    }

    @Test func idleAndIOWaitAreNotBusy() throws {
        let earlier = CPUTimes(userTicks: 100, idleTicks: 100, iowaitTicks: 100)
        let later = CPUTimes(userTicks: 150, idleTicks: 150, iowaitTicks: 200)
        #expect(CPUUtilization.between(earlier, later)?.busyBasisPoints == 2_500)
    }

    @Test func stealIRQAndSoftIRQAreBusy() throws {
        let earlier = CPUTimes(idleTicks: 10)
        let later = CPUTimes(idleTicks: 10, irqTicks: 1, softirqTicks: 1, stealTicks: 2)
        #expect(CPUUtilization.between(earlier, later)?.busyBasisPoints == 10_000)
    }

    @Test func basisPointsRoundHalfUp() throws {
        let earlier = CPUTimes()
        #expect(CPUUtilization.between(earlier, CPUTimes(userTicks: 1, idleTicks: 19_999))?.busyBasisPoints == 1)
        #expect(CPUUtilization.between(earlier, CPUTimes(userTicks: 1, idleTicks: 20_001))?.busyBasisPoints == 0)
        #expect(CPUUtilization.between(earlier, CPUTimes(userTicks: 2, idleTicks: 1))?.busyBasisPoints == 6_667)
    }

    @Test func equalSnapshotsMeasureNothing() {
        let times = CPUTimes(userTicks: 5, idleTicks: 5)
        #expect(CPUUtilization.between(times, times) == nil)
    }

    @Test func countersThatWentBackwardsMeasureNothing() {
        let beforeReboot = CPUTimes(userTicks: 1_000, systemTicks: 500, idleTicks: 9_000)
        let afterReboot = CPUTimes(userTicks: 10, systemTicks: 5, idleTicks: 90)
        #expect(CPUUtilization.between(beforeReboot, afterReboot) == nil)
        #expect(CPUUtilization.between(afterReboot, beforeReboot) != nil)
        let busyReset = CPUTimes(userTicks: 0, systemTicks: 0, idleTicks: 20_000)
        #expect(CPUUtilization.between(beforeReboot, busyReset) == nil)
    }

    @Test func iowaitGoingBackwardsCannotPushBusyPastAllOfIt() throws {
        let earlier = CPUTimes(userTicks: 100, idleTicks: 100, iowaitTicks: 50)
        let later = CPUTimes(userTicks: 140, idleTicks: 105, iowaitTicks: 10)
        let utilization = try #require(CPUUtilization.between(earlier, later))
        #expect(utilization.busyTicks == utilization.elapsedTicks)
        #expect(utilization.busyBasisPoints == 10_000)
    }

    @Test func extremeCountersNeitherOverflowNorTrap() throws {
        let earlier = CPUTimes(userTicks: 0, idleTicks: 0)
        let later = CPUTimes(userTicks: UInt64.max / 2, idleTicks: UInt64.max / 2)
        #expect(CPUUtilization.between(earlier, later)?.busyBasisPoints == 5_000)
    }
}
