import HostInstall
import Testing

/// The committed version and the newest N previous ones stay on disk; a switch back goes to the
/// newest retained version and needs no artifact.
struct RetentionTests {
    @Test(arguments: [1, 3, 16])
    func theCommittedAndTheNewestPreviousVersionsAreKept(retainedMaximum: Int) {
        var driver = CoreDriver(InstallRecord(module: "web"), retainedMaximum: retainedMaximum, ports: Fixture.ports)
        let versions = ["1.0", "2.0", "3.0", "4.0", "5.0", "6.0"]
        for (wave, version) in versions.enumerated() { driver.run(Fixture.install(version, wave: UInt32(wave))) }
        let expected = Array(versions.dropLast().reversed().prefix(retainedMaximum))
        #expect(driver.core.record.retained == expected)
        #expect(driver.work.last(where: { if case .prune = $0 { true } else { false } }) == .prune(keeping: Set(expected + ["6.0"])))
    }

    @Test func whatIsInFlightIsAlwaysKept() {
        var record = Fixture.committed("2.0", retained: ["1.0"])
        record.intent = InstallIntent(operation: Fixture.operation("3.0"), target: "3.0", strategy: .inPlace, step: .probeTarget,
                                      previous: record.committed)
        #expect(record.keptVersions == ["1.0", "2.0", "3.0"])
    }

    @Test func aSwitchBackGoesToTheNewestRetainedVersionWithoutUnpackingAnew() {
        var driver = CoreDriver(Fixture.committed("3.0", retained: ["2.0", "1.0"]), ports: Fixture.ports)
        let reports = driver.run(Fixture.switchBack(from: "3.0", strategy: .blueGreen))
        #expect(driver.work.filter(CoreDriver.isStep) == [.unpack(version: "2.0"), .start(version: "2.0", port: 8081),
                                                          .probe(version: "2.0", port: 8081), .link(version: "2.0"), .stop(version: "3.0")])
        #expect(reports.map(\.outcome) == [.installed])
        #expect(reports.first?.operation.kind == .switchBack(from: "3.0"))
        #expect(driver.core.record.committed == ActiveVersion(version: "2.0", port: 8081))
        #expect(driver.core.record.retained == ["3.0", "1.0"])
    }

    @Test func aRepeatedSwitchBackDoesNotSwitchTwice() {
        var driver = CoreDriver(Fixture.committed("3.0", retained: ["2.0", "1.0"]), ports: Fixture.ports)
        driver.run(Fixture.switchBack(from: "3.0"))
        driver.actions = []
        driver.run(Fixture.switchBack(from: "3.0"))
        #expect(driver.work.filter(CoreDriver.isStep).isEmpty)
        #expect(driver.core.record.committed?.version == "2.0")
    }

    /// A second switch back (a new wave, the same version to undo) does not toggle forward to the
    /// bad version; on a host already off that version, a wave-wide switch back does nothing.
    @Test func aSwitchBackUndoesOnlyTheVersionItNames() {
        var driver = CoreDriver(Fixture.committed("3.0", retained: ["2.0", "1.0"]), ports: Fixture.ports)
        driver.run(Fixture.switchBack(from: "3.0"))
        driver.actions = []
        let reports = driver.run(Fixture.switchBack(from: "3.0", wave: 10))
        #expect(driver.work.filter(CoreDriver.isStep).isEmpty)
        #expect(reports.map(\.outcome) == [.installed])
        #expect(reports.first?.reason == "3.0 is not committed (2.0 is): nothing to switch back")
        #expect(driver.core.record.committed?.version == "2.0")
        #expect(driver.core.record.retained == ["3.0", "1.0"])
    }

    @Test func installingARetainedVersionTakesItOutOfTheRetainedList() {
        var driver = CoreDriver(Fixture.committed("3.0", retained: ["2.0", "1.0"]), ports: Fixture.ports)
        driver.run(Fixture.install("1.0"))
        #expect(driver.core.record.retained == ["3.0", "2.0"])
        #expect(driver.core.record.committed?.version == "1.0")
    }
}
