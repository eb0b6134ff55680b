import HostInstall
import Testing

/// A restart with an operation in flight converges to one version: before the commit point
/// back to the previous one (every switch-back step taken, each idempotent), past it the install
/// is finished; the result says `interrupted` (or `failed`, when the switch back had begun).
struct RecoveryTests {
    static let back: [InstallAction] = [.link(version: "1.0"), .start(version: "1.0", port: 8080)]
    static let stopAndBack: [InstallAction] = [.stop(version: "2.0")] + back

    static let beforeCommit: [(InstallStrategy, InstallStep, [InstallAction])] = [
        (.inPlace, .unpack, back), (.inPlace, .stopPrevious, back), (.inPlace, .startTarget, stopAndBack),
        (.inPlace, .probeTarget, stopAndBack), (.inPlace, .link, stopAndBack),
        (.blueGreen, .unpack, back), (.blueGreen, .startTarget, stopAndBack), (.blueGreen, .probeTarget, stopAndBack),
        (.blueGreen, .link, stopAndBack),
    ]

    @Test(arguments: beforeCommit)
    func aRestartBeforeTheCommitPointReturnsToThePreviousVersion(strategy: InstallStrategy, crashAt: InstallStep,
                                                                 steps: [InstallAction]) {
        var driver = CoreDriver(Fixture.committed("1.0"), ports: Fixture.ports)
        driver.crashAt = crashAt
        #expect(driver.run(Fixture.install("2.0", strategy: strategy)).isEmpty)
        #expect(driver.persisted?.intent?.step == crashAt)
        #expect(driver.persisted?.expectedCurrent == "1.0")
        let reports = driver.restart()
        #expect(driver.work.filter(CoreDriver.isStep) == steps)
        #expect(reports == [InstallResult(operation: Fixture.operation("2.0"), outcome: .interrupted,
                                          active: ActiveVersion(version: "1.0", port: 8080),
                                          reason: "web 2.0: the agent restarted during '\(crashAt)'; back to web 1.0")])
        #expect(driver.core.record.committed == ActiveVersion(version: "1.0", port: 8080))
        #expect(driver.core.record.intent == nil)
        #expect(driver.core.record.expectedCurrent == "1.0")
    }

    @Test(arguments: [InstallStep.rollbackStopTarget, .rollbackLink, .rollbackStartPrevious])
    func aRestartDuringASwitchBackFinishesItAndKeepsTheFailure(crashAt: InstallStep) {
        var driver = CoreDriver(Fixture.committed("1.0"), ports: Fixture.ports)
        driver.failing = [.link: "boom"]
        driver.crashAt = crashAt
        #expect(driver.run(Fixture.install("2.0")).isEmpty)
        #expect(driver.persisted?.expectedCurrent == "1.0")
        let reports = driver.restart()
        #expect(driver.work.filter(CoreDriver.isStep) == Self.stopAndBack)
        #expect(reports.map(\.outcome) == [.failed])
        #expect(reports.first?.reason == "web 2.0: switch of current failed: boom; back to web 1.0 "
                + "(the switch back was finished after the agent restarted)")
        #expect(driver.core.record.committed?.version == "1.0")
    }

    @Test func aRestartPastTheCommitPointFinishesTheInstall() {
        var driver = CoreDriver(Fixture.committed("1.0"), ports: Fixture.ports)
        driver.crashAt = .stopPreviousAfterSwitch
        driver.run(Fixture.install("2.0", strategy: .blueGreen))
        #expect(driver.persisted?.expectedCurrent == "2.0")
        let reports = driver.restart()
        #expect(driver.work.filter(CoreDriver.isStep) == [.start(version: "2.0", port: 8081), .stop(version: "1.0")])
        #expect(driver.persistedSteps == [.ensureTarget, .stopPreviousAfterSwitch, nil])
        #expect(reports == [InstallResult(operation: Fixture.operation("2.0"), outcome: .interrupted,
                                          active: ActiveVersion(version: "2.0", port: 8081),
                                          reason: "the agent restarted after the switch to 2.0; the install was finished")])
        #expect(driver.core.record.committed == ActiveVersion(version: "2.0", port: 8081))
        #expect(driver.core.record.retained == ["1.0"])
    }

    @Test func aSecondRestartWhileFinishingStillFinishes() {
        var driver = CoreDriver(Fixture.committed("1.0"), ports: Fixture.ports)
        driver.crashAt = .stopPreviousAfterSwitch
        driver.run(Fixture.install("2.0", strategy: .blueGreen))
        driver.core = InstallCore(record: driver.persisted!)
        driver.crashAt = .ensureTarget
        #expect(driver.run(.restarted).isEmpty)
        #expect(driver.persisted?.intent?.step == .ensureTarget)
        #expect(driver.persisted?.expectedCurrent == "2.0")
        #expect(driver.restart().map(\.outcome) == [.interrupted])
        #expect(driver.core.record.committed?.version == "2.0")
    }

    @Test func theNewVersionNotRunningAfterARestartPastTheCommitPointSwitchesBack() {
        var driver = CoreDriver(Fixture.committed("1.0"), ports: Fixture.ports)
        driver.crashAt = .stopPreviousAfterSwitch
        driver.run(Fixture.install("2.0", strategy: .blueGreen))
        driver.core = InstallCore(record: driver.persisted!)
        driver.actions = []
        driver.crashAt = nil
        driver.failing = [.ensureTarget: "exited 1"]
        let reports = driver.run(.restarted)
        #expect(driver.work.filter(CoreDriver.isStep) == [.start(version: "2.0", port: 8081)] + Self.stopAndBack)
        #expect(reports.map(\.outcome) == [.failed])
        #expect(reports.first?.reason?.hasPrefix("web 2.0: start after the agent restarted failed: exited 1; back to web 1.0") == true)
        #expect(driver.core.record.committed == ActiveVersion(version: "1.0", port: 8080))
    }

    @Test func aRestartOfAFirstInstallRemovesCurrentAndLeavesNothingCommitted() {
        var driver = CoreDriver(InstallRecord(module: "web"), ports: Fixture.ports)
        driver.crashAt = .probeTarget
        driver.run(Fixture.install("1.0"))
        let reports = driver.restart()
        #expect(driver.work.filter(CoreDriver.isStep) == [.stop(version: "1.0"), .link(version: nil)])
        #expect(reports.first?.outcome == .interrupted)
        #expect(reports.first?.active == nil)
        #expect(driver.core.record.committed == nil)
    }

    /// Only what a crash between the commit and its prune left goes.
    @Test func aRestartWithNothingInFlightOnlyPrunes() {
        var core = InstallCore(record: Fixture.committed("1.0", retained: ["0.9"]))
        #expect(core.handle(.restarted) == [.prune(keeping: ["1.0", "0.9"])])
    }
}
