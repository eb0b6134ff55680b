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
        let again = driver.run(Fixture.install("2.0", wave: 0))
        #expect(driver.work.filter(CoreDriver.isStep).isEmpty, "a forgotten id does not run again")
        #expect(again.map(\.outcome) == [.refused])
        #expect(again.first?.reason?.hasSuffix("it is stale") == true)
    }

    @Test func aCommandOlderThanTheNewestSequenceIsRefusedButARepeatIsAnswered() {
        var driver = CoreDriver(Fixture.committed("1.0"), ports: Fixture.ports)
        let first = driver.run(Fixture.install("2.0", wave: 1, sequence: 7))
        driver.run(Fixture.install("3.0", wave: 2, sequence: 8))
        #expect(driver.core.record.sequence == 8)
        #expect(driver.run(Fixture.install("2.0", wave: 1, sequence: 7)) == first, "still in the table: answered")
        driver.actions = []
        let stale = driver.run(Fixture.install("4.0", wave: 3, sequence: 6))
        #expect(stale.first?.reason == "command 6 of term 1 is older than command 8, the newest this host has seen for web; it is stale")
        #expect(driver.work.filter(CoreDriver.isStep).isEmpty)
        #expect(driver.run(Fixture.install("4.0", wave: 3, term: 2, sequence: 1)).map(\.outcome) == [.installed],
                "a new term starts its own sequence")
    }

    @Test func aSwitchBackFromAnOlderTermIsRefusedAndChangesNothing() {
        var driver = CoreDriver(Fixture.committed("2.0", retained: ["1.0"]), ports: Fixture.ports)
        driver.run(Fixture.install("3.0", term: 5))
        let before = driver.core.record
        driver.actions = []
        let reports = driver.run(Fixture.switchBack(from: "3.0", term: 4))
        #expect(reports.map(\.outcome) == [.refused])
        #expect(reports.first?.reason?.hasPrefix("term 4 is older than term 5") == true)
        #expect(driver.work.filter(CoreDriver.isStep).isEmpty)
        #expect(driver.core.record == before)
    }
}

extension Array where Element == InstallAction {
    /// The results reported among these actions.
    var reports: [InstallResult] {
        compactMap { if case let .report(result) = $0 { result } else { nil } }
    }
}
