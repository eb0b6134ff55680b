import HostInstall
import Primitives
import Testing

/// A switch back from the only version a host has (a deployment rolling back a first install)
/// withdraws it: the version is stopped, `current` removed, nothing is committed, and the result
/// is `installed` with no active version; a restart at any step finishes it the same way.
struct WithdrawalTests {
    static let operation = OperationID(deploymentID: "back", wave: 9, kind: .switchBack(from: "1.0"))
    static let summary = "no earlier version of web is retained: 1.0 is withdrawn and none runs"

    @Test func aSwitchBackWithNothingRetainedStopsTheVersionAndLeavesNothingCommitted() {
        var driver = CoreDriver(Fixture.committed("1.0"), ports: Fixture.ports)
        let reports = driver.run(Fixture.switchBack(from: "1.0"))
        #expect(driver.work.filter(CoreDriver.isStep) == [.stop(version: "1.0"), .link(version: nil)])
        #expect(driver.persistedSteps.first == .rollbackStopTarget, "the intent is written before the stop")
        #expect(reports == [InstallResult(operation: Self.operation, outcome: .installed, active: nil, reason: Self.summary)])
        #expect(driver.core.record.committed == nil)
        #expect(driver.core.record.intent == nil)
        #expect(driver.core.record.expectedCurrent == nil)
        #expect(!driver.core.record.keptVersions.contains("1.0"), "the withdrawn version may be pruned")
    }

    @Test func theFirstWriteTakesTheVersionOutOfTheCommittedSlot() throws {
        var driver = CoreDriver(Fixture.committed("1.0"), ports: Fixture.ports)
        driver.crashAt = .rollbackStopTarget
        #expect(driver.run(Fixture.switchBack(from: "1.0")).isEmpty)
        let persisted = try #require(driver.persisted)
        #expect(persisted.committed == nil)
        #expect(persisted.intent?.target == "1.0" && persisted.intent?.previous == nil)
        #expect(persisted.expectedCurrent == nil)
        #expect(persisted.keptVersions.contains("1.0"), "the version is kept on disk until it is stopped")
        let decoded = try InstallRecordCodec.decode(InstallRecordCodec.encode(persisted))
        #expect(decoded == persisted, "a record in the middle of a withdrawal is one the decoder accepts")
    }

    @Test(arguments: [InstallStep.rollbackStopTarget, .rollbackLink])
    func aRestartDuringTheWithdrawalFinishesIt(crashAt: InstallStep) {
        var driver = CoreDriver(Fixture.committed("1.0"), ports: Fixture.ports)
        driver.crashAt = crashAt
        #expect(driver.run(Fixture.switchBack(from: "1.0")).isEmpty)
        let reports = driver.restart()
        #expect(driver.work.filter(CoreDriver.isStep) == [.stop(version: "1.0"), .link(version: nil)])
        #expect(reports == [InstallResult(operation: Self.operation, outcome: .installed, active: nil,
                                          reason: Self.summary + " (finished after the agent restarted)")])
        #expect(driver.core.record.committed == nil && driver.core.record.intent == nil)
    }

    @Test func aStopThatFailsLeavesTheVersionToBeStoppedAndTheResultFailed() throws {
        var driver = CoreDriver(Fixture.committed("1.0"), ports: Fixture.ports)
        driver.failing = [.rollbackStopTarget: "kill refused"]
        let reports = driver.run(Fixture.switchBack(from: "1.0"))
        let report = try #require(reports.first)
        #expect(reports.count == 1 && report.outcome == .failed && report.active == nil)
        #expect(report.reason == "switching back failed at 'stopping the new version': kill refused; " + Self.summary)
        #expect(driver.core.record.toStop == ["1.0"])
        #expect(driver.core.record.committed == nil)
        #expect(driver.core.record.keptVersions.contains("1.0"), "a version that may still run is never pruned")
    }

    @Test func repeatingTheSwitchBackAnswersTheFirstResultAndANewOneFindsNothingToUndo() {
        var driver = CoreDriver(Fixture.committed("1.0"), ports: Fixture.ports)
        let first = driver.run(Fixture.switchBack(from: "1.0"))
        driver.actions = []
        #expect(driver.run(Fixture.switchBack(from: "1.0")) == first)
        #expect(driver.work.filter(CoreDriver.isStep).isEmpty)
        let later = driver.run(Fixture.switchBack(from: "1.0", wave: 10))
        #expect(later.map(\.reason) == ["1.0 is not committed (nothing is): nothing to switch back"])
        #expect(driver.work.filter(CoreDriver.isStep).isEmpty)
    }

    @Test func anInstallAfterTheWithdrawalIsAFirstInstall() {
        var driver = CoreDriver(Fixture.committed("1.0"), ports: Fixture.ports)
        driver.run(Fixture.switchBack(from: "1.0"))
        driver.actions = []
        let reports = driver.run(Fixture.install("2.0", wave: 11, strategy: .blueGreen))
        #expect(reports.map(\.outcome) == [.installed])
        #expect(driver.work.filter(CoreDriver.isStep) == [.unpack(version: "2.0"), .start(version: "2.0", port: 8080),
                                                          .probe(version: "2.0", port: 8080), .link(version: "2.0")])
        #expect(driver.core.record.committed == ActiveVersion(version: "2.0", port: 8080))
        #expect(driver.core.record.retained.isEmpty)
    }
}
