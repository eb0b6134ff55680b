import HostInstall
import Testing

/// The forward steps of both strategies, action by action, and the ports blue-green uses.
struct InstallFlowTests {
    @Test func inPlaceStopsTheOldVersionBeforeStartingTheNewOneOnTheMainPort() {
        var driver = CoreDriver(Fixture.committed("1.0"), ports: Fixture.ports)
        let reports = driver.run(Fixture.install("2.0"))
        #expect(driver.work == [
            .unpack(version: "2.0"), .stop(version: "1.0"), .start(version: "2.0", port: 8080), .probe(version: "2.0", port: 8080),
            .link(version: "2.0"), .prune(keeping: ["1.0", "2.0"]),
            .report(InstallResult(operation: Fixture.operation("2.0"), outcome: .installed,
                                  active: ActiveVersion(version: "2.0", port: 8080))),
        ])
        #expect(driver.persistedSteps == [.unpack, .stopPrevious, .startTarget, .probeTarget, .link, nil])
        #expect(reports.map(\.outcome) == [.installed])
        #expect(driver.core.record.committed == ActiveVersion(version: "2.0", port: 8080))
        #expect(driver.core.record.retained == ["1.0"])
        #expect(driver.core.record.intent == nil)
    }

    @Test func blueGreenStartsTheNewVersionBesideTheOldAndStopsTheOldAfterTheSwitch() {
        var driver = CoreDriver(Fixture.committed("1.0"), ports: Fixture.ports)
        driver.run(Fixture.install("2.0", strategy: .blueGreen))
        #expect(driver.work == [
            .unpack(version: "2.0"), .start(version: "2.0", port: 8081), .probe(version: "2.0", port: 8081), .link(version: "2.0"),
            .stop(version: "1.0"), .prune(keeping: ["1.0", "2.0"]),
            .report(InstallResult(operation: Fixture.operation("2.0"), outcome: .installed,
                                  active: ActiveVersion(version: "2.0", port: 8081))),
        ])
        #expect(driver.persistedSteps == [.unpack, .startTarget, .probeTarget, .link, .stopPreviousAfterSwitch, nil])
        #expect(driver.core.record.committed == ActiveVersion(version: "2.0", port: 8081))
    }

    @Test func blueGreenAlternatesBetweenTheTwoPortsAndTheServingVersionKeepsItsPort() {
        var driver = CoreDriver(Fixture.committed("1.0"), ports: Fixture.ports)
        var active: [Int?] = []
        for (wave, version) in ["2.0", "3.0", "4.0"].enumerated() {
            let reports = driver.run(Fixture.install(version, wave: UInt32(wave), strategy: .blueGreen))
            active.append(reports.last?.active?.port)
        }
        #expect(active == [8081, 8080, 8081])
    }

    @Test func aFirstInstallStartsOnTheMainPortWhateverTheStrategy() {
        for strategy in InstallStrategy.allCases {
            var driver = CoreDriver(InstallRecord(module: Fixture.module), ports: Fixture.ports)
            driver.run(Fixture.install("1.0", strategy: strategy))
            #expect(driver.work.prefix(4) == [.unpack(version: "1.0"), .start(version: "1.0", port: 8080),
                                             .probe(version: "1.0", port: 8080), .link(version: "1.0")])
            #expect(driver.core.record.committed == ActiveVersion(version: "1.0", port: 8080))
            #expect(driver.core.record.retained.isEmpty)
        }
    }

    @Test func aModuleWithoutAPortIsStartedAndProbedWithoutOne() {
        var driver = CoreDriver(Fixture.committed("1.0", port: nil))
        driver.run(Fixture.install("2.0"))
        #expect(driver.work.contains(.start(version: "2.0", port: nil)))
        #expect(driver.core.record.committed == ActiveVersion(version: "2.0", port: nil))
    }

    @Test func blueGreenOfAManifestWithoutAnAlternatePortIsRefusedBeforeAnythingStarts() {
        var driver = CoreDriver(Fixture.committed("1.0"), ports: Fixture.ports)
        let reports = driver.run(Fixture.install("9.0", strategy: .blueGreen))
        #expect(driver.work.filter(CoreDriver.isStep) == [.unpack(version: "9.0")])
        #expect(reports.map(\.outcome) == [.failed])
        #expect(reports.first?.reason == "blue-green needs both port and alternatePort in the manifest of web 9.0; it declares port 8080 "
                + "and no port (install it in place instead); back to web 1.0")
        #expect(reports.first?.active == ActiveVersion(version: "1.0", port: 8080))
        #expect(driver.core.record.committed?.version == "1.0")
        #expect(driver.work.contains(.prune(keeping: ["1.0"])))
    }

    @Test func installingTheCommittedVersionDoesNothing() {
        var driver = CoreDriver(Fixture.committed("1.0"), ports: Fixture.ports)
        let reports = driver.run(Fixture.install("1.0"))
        #expect(driver.work.filter(CoreDriver.isStep).isEmpty)
        #expect(reports.map(\.outcome) == [.installed])
        #expect(reports.first?.active == ActiveVersion(version: "1.0", port: 8080))
    }

    @Test func anEventForAnotherStepThanTheOneInFlightIsIgnored() {
        var core = InstallCore(record: Fixture.committed("1.0"))
        _ = core.handle(Fixture.install("2.0"))
        let before = core.record
        #expect(core.handle(.done(.probeTarget)).isEmpty)
        #expect(core.handle(.done(.unpack)).isEmpty)
        #expect(core.handle(.failed(.link, reason: "x")).isEmpty)
        #expect(core.record == before)
        var idle = InstallCore(record: Fixture.committed("1.0"))
        #expect(idle.handle(.unpacked(port: 1, alternatePort: 2)).isEmpty)
        #expect(idle.handle(.restarted) == [.prune(keeping: ["1.0"])], "nothing in flight: only the prune a crash may have missed")
    }

    @Test func expectedCurrentIsThePreviousVersionBeforeTheCommitPointAndTheTargetPastIt() {
        var record = Fixture.committed("1.0")
        #expect(record.expectedCurrent == "1.0")
        record.intent = InstallIntent(operation: Fixture.operation("2.0"), target: "2.0", strategy: .blueGreen, step: .link,
                                      previous: record.committed)
        #expect(record.expectedCurrent == "1.0")
        record.intent?.step = .stopPreviousAfterSwitch
        #expect(record.expectedCurrent == "2.0")
        record.intent?.step = .rollbackLink
        #expect(record.expectedCurrent == "1.0")
        #expect(InstallRecord(module: "web").expectedCurrent == nil)
    }
}
