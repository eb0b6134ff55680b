import HostInstall
import Testing

/// Commands are fenced by term and idempotent: a repeated command gets its recorded result and
/// nothing is done twice; an interrupted one may run again; another is `busy` while one is in flight.
struct IdempotencyTests {
    @Test func aRepeatedCompletedCommandGetsTheRecordedResultAndDoesNothing() {
        for failing in [[:], [InstallStep.probeTarget: "unhealthy"]] {
            var driver = CoreDriver(Fixture.committed("1.0"), ports: Fixture.ports)
            driver.failing = failing
            let first = driver.run(Fixture.install("2.0"))
            let record = driver.core.record
            driver.actions = []
            driver.failing = [:]
            let second = driver.run(Fixture.install("2.0"))
            #expect(second == first)
            #expect(driver.actions == [.report(first[0])])
            #expect(driver.core.record == record)
        }
    }

    @Test func anInterruptedCommandRunsAgainAndItsNewResultReplacesTheOld() {
        var driver = CoreDriver(Fixture.committed("1.0"), ports: Fixture.ports)
        driver.crashAt = .probeTarget
        driver.run(Fixture.install("2.0"))
        #expect(driver.restart().map(\.outcome) == [.interrupted])
        let again = driver.run(Fixture.install("2.0"))
        #expect(again.map(\.outcome) == [.installed])
        #expect(driver.work.contains(.start(version: "2.0", port: 8080)))
        #expect(driver.core.record.completed.map(\.outcome) == [.installed])
    }

    @Test func anInterruptedCommandPastTheCommitPointAnswersInstalledWhenRepeated() {
        var driver = CoreDriver(Fixture.committed("1.0"), ports: Fixture.ports)
        driver.crashAt = .stopPreviousAfterSwitch
        driver.run(Fixture.install("2.0", strategy: .blueGreen))
        driver.restart()
        driver.actions = []
        let again = driver.run(Fixture.install("2.0", strategy: .blueGreen))
        #expect(again.map(\.outcome) == [.installed])
        #expect(driver.work.filter(CoreDriver.isStep).isEmpty)
    }

    @Test func anotherCommandWhileOneIsInFlightIsBusyAndChangesNothing() {
        var core = InstallCore(record: Fixture.committed("1.0"))
        _ = core.handle(Fixture.install("2.0"))
        let before = core.record
        let other = core.handle(Fixture.install("3.0", wave: 2))
        #expect(other == [.report(InstallResult(operation: Fixture.operation("3.0", wave: 2), outcome: .busy,
                                                active: ActiveVersion(version: "1.0", port: 8080),
                                                reason: "operation d1/wave 1/install 2.0 is in progress (step: unpack)"))])
        let same = core.handle(Fixture.install("2.0"))
        #expect(same.reports.map(\.outcome) == [.busy])
        #expect(same.reports.first?.reason == "this operation is in progress (step: unpack)")
        #expect(core.record == before)
    }

    @Test func aCommandFromAnOlderTermIsRefusedAndNotRecorded() {
        var core = InstallCore(record: Fixture.committed("1.0"))
        let raised = core.handle(Fixture.install("2.0", term: 5))
        #expect(core.record.term == 5)
        #expect(raised.first == .persist(core.record))
        let stale = core.handle(Fixture.install("3.0", wave: 2, term: 4))
        #expect(stale.reports.map(\.outcome) == [.refused])
        #expect(stale.reports.first?.reason?.hasPrefix("term 4 is older than term 5") == true)
        #expect(!core.record.completed.contains { $0.operation == Fixture.operation("3.0", wave: 2) })
    }

    @Test(arguments: [("", "deployment id must be"), (String(repeating: "d", count: 65), "deployment id must be"),
                      ("d/1", "deployment id must be"), ("d1", "version '../x' must be")])
    func aMalformedOperationIsRefusedAndNotRecorded(deployment: String, expected: String) {
        var core = InstallCore(record: Fixture.committed("1.0"))
        let version = deployment == "d1" ? "../x" : "2.0"
        let actions = core.handle(Fixture.install(version, deployment: deployment))
        #expect(actions.reports.map(\.outcome) == [.refused])
        #expect(actions.reports.first?.reason?.contains(expected) == true, "\(actions)")
        #expect(core.record.completed.isEmpty)
    }

    @Test func theTableOfCompletedOperationsKeepsTheNewest() {
        var driver = CoreDriver(Fixture.committed("1.0"), ports: Fixture.ports)
        let total = InstallLimits.completedOperationsMaximum + 6
        for wave in 0..<UInt32(total) {
            driver.run(Fixture.install(wave % 2 == 0 ? "2.0" : "1.0", wave: wave))
        }
        #expect(driver.core.record.completed.count == InstallLimits.completedOperationsMaximum)
        #expect(driver.core.record.completed.first?.operation.wave == 6)
        #expect(driver.core.record.completed.last?.operation.wave == UInt32(total - 1))
        driver.actions = []
        driver.run(Fixture.install("2.0", wave: 0))
        #expect(driver.work.contains(.unpack(version: "2.0")), "a forgotten id runs again")
    }
}

extension Array where Element == InstallAction {
    /// The results reported among these actions.
    var reports: [InstallResult] {
        compactMap { if case let .report(result) = $0 { result } else { nil } }
    }
}
