import HostInstall
import Testing

/// A failure at every step before the commit point switches back, taking only the steps its
/// progress needs, and is recorded with its reason; the previous version stays committed.
struct FailureTests {
    static let stop1 = InstallAction.stop(version: "1.0")
    static let start1 = InstallAction.start(version: "1.0", port: 8080)
    static let link1 = InstallAction.link(version: "1.0")
    static let stop2 = InstallAction.stop(version: "2.0")

    static let cases: [(InstallStrategy, InstallStep, [InstallAction])] = [
        (.inPlace, .unpack, [.unpack(version: "2.0")]),
        (.inPlace, .stopPrevious, [.unpack(version: "2.0"), stop1, start1]),
        (.inPlace, .startTarget, [.unpack(version: "2.0"), stop1, .start(version: "2.0", port: 8080), stop2, start1]),
        (.inPlace, .probeTarget, [.unpack(version: "2.0"), stop1, .start(version: "2.0", port: 8080), .probe(version: "2.0", port: 8080),
                                  stop2, start1]),
        (.inPlace, .link, [.unpack(version: "2.0"), stop1, .start(version: "2.0", port: 8080), .probe(version: "2.0", port: 8080),
                           .link(version: "2.0"), stop2, link1, start1]),
        (.blueGreen, .unpack, [.unpack(version: "2.0")]),
        (.blueGreen, .startTarget, [.unpack(version: "2.0"), .start(version: "2.0", port: 8081), stop2]),
        (.blueGreen, .probeTarget, [.unpack(version: "2.0"), .start(version: "2.0", port: 8081), .probe(version: "2.0", port: 8081),
                                    stop2]),
        (.blueGreen, .link, [.unpack(version: "2.0"), .start(version: "2.0", port: 8081), .probe(version: "2.0", port: 8081),
                             .link(version: "2.0"), stop2, link1]),
    ]

    @Test(arguments: cases)
    func aFailureBeforeTheCommitPointSwitchesBack(strategy: InstallStrategy, failing: InstallStep, steps: [InstallAction]) {
        var driver = CoreDriver(Fixture.committed("1.0", retained: ["0.9"]), ports: Fixture.ports)
        driver.failing = [failing: "boom"]
        let reports = driver.run(Fixture.install("2.0", strategy: strategy))
        #expect(driver.work.filter(CoreDriver.isStep) == steps)
        #expect(reports == [InstallResult(operation: Fixture.operation("2.0"), outcome: .failed,
                                          active: ActiveVersion(version: "1.0", port: 8080),
                                          reason: "web 2.0: \(failing) failed: boom; back to web 1.0")])
        #expect(driver.core.record.committed == ActiveVersion(version: "1.0", port: 8080))
        #expect(driver.core.record.retained == ["0.9"])
        #expect(driver.core.record.intent == nil)
        #expect(driver.work.contains(.prune(keeping: ["1.0", "0.9"])), "the failed version's directory goes")
        #expect(driver.core.record.completed.last == reports.first)
    }

    @Test func eachSwitchBackStepIsPersistedBeforeItIsTaken() {
        var driver = CoreDriver(Fixture.committed("1.0"), ports: Fixture.ports)
        driver.failing = [.link: "boom"]
        driver.run(Fixture.install("2.0"))
        #expect(driver.persistedSteps == [.unpack, .stopPrevious, .startTarget, .probeTarget, .link,
                                          .rollbackStopTarget, .rollbackLink, .rollbackStartPrevious, nil])
    }

    @Test func aFirstInstallThatFailsAfterTheSwitchRemovesCurrent() {
        var driver = CoreDriver(InstallRecord(module: "web"), ports: Fixture.ports)
        driver.failing = [.link: "no space"]
        let reports = driver.run(Fixture.install("1.0"))
        #expect(driver.work.filter(CoreDriver.isStep).suffix(2) == [.stop(version: "1.0"), .link(version: nil)])
        #expect(reports.first?.outcome == .failed)
        #expect(reports.first?.active == nil)
        #expect(reports.first?.reason == "web 1.0: switch of current failed: no space; back to no version of web")
        #expect(driver.core.record.committed == nil)
    }

    @Test func aFailedSwitchBackStepIsReportedAndTheRestStillRun() {
        var driver = CoreDriver(Fixture.committed("1.0"), ports: Fixture.ports)
        driver.failing = [.probeTarget: "unhealthy", .rollbackStopTarget: "still running"]
        let reports = driver.run(Fixture.install("2.0"))
        #expect(driver.work.filter(CoreDriver.isStep).suffix(2) == [Self.stop2, Self.start1])
        #expect(reports.first?.reason == "web 2.0: health probe failed: unhealthy; switching back failed at 'stopping the new version': "
                + "still running; back to web 1.0")
        #expect(driver.core.record.toStop == ["2.0"], "the target may still run: it is listed to stop")
        #expect(driver.work.contains(.prune(keeping: ["1.0", "2.0"])), "and its directory is spared")
    }

    @Test func aVersionListedToStopIsSparedUntilItIsStopped() {
        var driver = CoreDriver(Fixture.committed("1.0"), ports: Fixture.ports)
        driver.failing = [.probeTarget: "unhealthy", .rollbackStopTarget: "still running"]
        driver.run(Fixture.install("2.0"))
        var core = driver.core
        #expect(core.handle(.stopped(version: "2.0")).last == .prune(keeping: ["1.0"]))
        #expect(core.record.toStop.isEmpty)
    }

    @Test func commandsAreRefusedWhileTooManyVersionsMayStillRun() {
        var record = Fixture.committed("1.0")
        record.toStop = (0..<InstallLimits.toStopMaximum).map { "0.\($0)" }
        var driver = CoreDriver(record, ports: Fixture.ports)
        let reports = driver.run(Fixture.install("2.0"))
        #expect(reports.map(\.outcome) == [.refused])
        #expect(driver.work.filter(CoreDriver.isStep).isEmpty)
        #expect(driver.core.record.completed.isEmpty)
    }

    @Test func startingThePreviousVersionAgainFailingReportsNoActiveVersion() {
        var driver = CoreDriver(Fixture.committed("1.0"), ports: Fixture.ports)
        driver.failing = [.probeTarget: "unhealthy", .rollbackStartPrevious: "port in use"]
        let reports = driver.run(Fixture.install("2.0"))
        #expect(reports.map(\.outcome) == [.failed])
        #expect(reports.first?.active == nil)
        #expect(reports.first?.reason?.hasSuffix("; back to web 1.0, which is not running") == true)
        #expect(driver.core.record.committed?.version == "1.0")
    }

    @Test func stoppingThePreviousVersionAfterTheSwitchFailingStillCommitsAndSaysSo() {
        var driver = CoreDriver(Fixture.committed("1.0"), ports: Fixture.ports)
        driver.failing = [.stopPreviousAfterSwitch: "EPERM"]
        let reports = driver.run(Fixture.install("2.0", strategy: .blueGreen))
        #expect(reports == [InstallResult(operation: Fixture.operation("2.0"), outcome: .installed,
                                          active: ActiveVersion(version: "2.0", port: 8081),
                                          reason: "switched, but stopping 1.0 failed: EPERM")])
        #expect(driver.core.record.retained == ["1.0"])
        #expect(driver.core.record.toStop == ["1.0"], "1.0 may still run: the stop is retried")
    }

    @Test func aLongReasonIsCutToTheBound() {
        var driver = CoreDriver(Fixture.committed("1.0"), ports: Fixture.ports)
        driver.failing = [.probeTarget: String(repeating: "é", count: 1_000)]
        let reports = driver.run(Fixture.install("2.0"))
        #expect((reports.first?.reason?.utf8.count ?? 0) <= InstallLimits.reasonBytesMaximum)
        #expect(reports.first?.reason?.hasSuffix("é; back to web 1.0") == true, "the failure's text is cut, not the summary")
        #expect(driver.core.record.completed.last?.reason == reports.first?.reason)
    }
}
