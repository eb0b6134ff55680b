import Telemetry
import Testing

struct ProcessCPUShareTests {
    static let secondNanoseconds: UInt64 = 1_000_000_000

    static func stat(userTicks: UInt64, systemTicks: UInt64 = 0, pid: UInt32 = 42, startTicks: UInt64 = 1_000) -> ProcessStat {
        ProcessStat(pid: pid, comm: "api", state: "S", userTicks: userTicks, systemTicks: systemTicks,
                    startTicks: startTicks, residentPages: 1)
    }

    static func share(_ earlier: ProcessStat, _ later: ProcessStat, ticksPerSecond: UInt64 = 100,
                      nanoseconds: UInt64 = secondNanoseconds) -> UInt32? {
        ProcessCPUShare.between(earlier, later, clockTicksPerSecond: ticksPerSecond, elapsedNanoseconds: nanoseconds)?
            .basisPointsOfOneCore
    }

    @Test func userAndSystemTicksOverElapsedTimeAreTheShareOfOneCore() {
        #expect(Self.share(Self.stat(userTicks: 100, systemTicks: 10), Self.stat(userTicks: 130, systemTicks: 30)) == 5_000)
        #expect(Self.share(Self.stat(userTicks: 0), Self.stat(userTicks: 25), nanoseconds: 500_000_000) == 5_000)
        #expect(Self.share(Self.stat(userTicks: 0), Self.stat(userTicks: 1), ticksPerSecond: 1_000) == 10)
    }

    @Test func aProcessOnTwoCoresShowsTwoCores() {
        #expect(Self.share(Self.stat(userTicks: 0), Self.stat(userTicks: 200)) == 20_000)
    }

    @Test func anIdleProcessShowsZero() {
        #expect(Self.share(Self.stat(userTicks: 9), Self.stat(userTicks: 9)) == 0)
    }

    @Test func basisPointsRoundHalfUp() {
        // One tick is 10 ms of CPU: over 200 s that is exactly half a basis point.
        #expect(Self.share(Self.stat(userTicks: 0), Self.stat(userTicks: 1), nanoseconds: 200 * Self.secondNanoseconds) == 1)
        #expect(Self.share(Self.stat(userTicks: 0), Self.stat(userTicks: 1), nanoseconds: 200 * Self.secondNanoseconds + 1) == 0)
    }

    @Test func aRestartedOrDifferentProcessIsNotMeasured() {
        #expect(Self.share(Self.stat(userTicks: 10), Self.stat(userTicks: 20, startTicks: 2_000)) == nil)
        #expect(Self.share(Self.stat(userTicks: 10), Self.stat(userTicks: 20, pid: 43)) == nil)
    }

    @Test func ticksGoingBackwardsOrNoElapsedTimeMeasureNothing() {
        #expect(Self.share(Self.stat(userTicks: 20), Self.stat(userTicks: 10)) == nil)
        #expect(Self.share(Self.stat(userTicks: 10), Self.stat(userTicks: 20), nanoseconds: 0) == nil)
        #expect(Self.share(Self.stat(userTicks: 10), Self.stat(userTicks: 20), ticksPerSecond: 0) == nil)
    }

    @Test func extremeInputsSaturateInsteadOfTrapping() {
        #expect(Self.share(Self.stat(userTicks: 0), Self.stat(userTicks: UInt64.max), ticksPerSecond: 1, nanoseconds: 1) == UInt32.max)
        #expect(Self.share(Self.stat(userTicks: 0), Self.stat(userTicks: 1), ticksPerSecond: UInt64.max, nanoseconds: UInt64.max) == 0)
    }
}
