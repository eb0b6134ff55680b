@testable import Coordinator
import Telemetry
import Testing
import Transport
import Wire

/// A welcomed agent session on an embedded connection: reports stored and
/// acknowledged (resent samples once), session tickets renewed, the node's
/// inventory written through Raft once, and again only when that failed.
@Suite struct AgentSessionReportTests {
    /// One report of a session and what the leader answers and holds after it.
    struct Step: CustomTestStringConvertible, Sendable {
        let incarnation: UInt64
        let first: UInt64
        let count: Int
        let acknowledged: UInt64
        let samplesHeld: Int
        var testDescription: String { "incarnation \(incarnation), \(count) from \(first)" }
    }

    static let steps: [Step] = [
        Step(incarnation: 100, first: 1, count: 3, acknowledged: 3, samplesHeld: 3),
        Step(incarnation: 100, first: 2, count: 3, acknowledged: 4, samplesHeld: 4),
        Step(incarnation: 100, first: 1, count: 4, acknowledged: 4, samplesHeld: 4),
        Step(incarnation: 100, first: 5, count: 0, acknowledged: 4, samplesHeld: 4),
        Step(incarnation: 100, first: 8, count: 2, acknowledged: 9, samplesHeld: 6),
        Step(incarnation: 100, first: 3, count: 1, acknowledged: 9, samplesHeld: 6),
        Step(incarnation: 101, first: 1, count: 2, acknowledged: 2, samplesHeld: 8),
    ]

    @Test func reportsAreAcknowledgedWithTheLeadersTermAndResentSamplesAreStoredOnce() throws {
        let port = try AgentPort()
        port.publish(.leader(term: 4, lease: .seconds(60)))
        let agent = port.connect(certifiedAs: "n1")
        agent.send(AgentSays.hello("n1", incarnation: 100))
        #expect(try agent.received().count == 1)
        for step in Self.steps {
            port.embedded.advanceTime(by: .seconds(1))
            try agent.send(AgentSays.report(incarnation: step.incarnation, first: step.first, count: step.count))
            #expect(try agent.received() == [.ack(ReportAck(leaderTerm: 4, acknowledgedSequence: step.acknowledged))],
                    "after \(step.testDescription)")
            #expect(port.gateway.window(of: "n1")?.sampleCount == step.samplesHeld, "after \(step.testDescription)")
        }
        #expect(port.metrics.value("hotswap_agent_reports_total") == Double(Self.steps.count))
        #expect(port.gateway.window(of: "n1")?.lastReportAt == port.now, "a report is taken at the loop's time")
        #expect(agent.connection.isOpen)
    }

    @Test func aPingIsAnsweredWithAPongOfTheSamePayloadBeforeAndAfterHello() throws {
        let port = try AgentPort()
        port.publish(.leader(term: 4, lease: .seconds(5)))
        let agent = port.connect(certifiedAs: "n1")
        agent.send(Frame(kind: FrameKind.ping.rawValue, payload: [1, 2, 3]))
        agent.send(AgentSays.hello("n1"))
        agent.send(Frame(kind: FrameKind.ping.rawValue, payload: []))
        #expect(try agent.received() == [.pong([1, 2, 3]), .welcome(AgentWelcome(leaderTerm: 4, leaderName: "c1", acknowledgedSequence: 0)),
                                         .pong([])])
    }

    @Test func aCommandResultIsLoggedAndNeedsNoAnswer() throws {
        let port = try AgentPort()
        port.publish(.leader(term: 4, lease: .seconds(5)))
        let agent = port.connect(certifiedAs: "n1")
        agent.send(AgentSays.hello("n1"))
        _ = try agent.received()
        agent.send(Frame(kind: FrameKind.agentCommandResult.rawValue, payload: AgentSessionCodec.encode(
            AgentCommandResult(commandID: 7, accepted: false, detail: "refused: term 3 is below 5"))))
        #expect(try agent.received() == [])
        #expect(agent.connection.isOpen)
        let logged = port.logLines(containing: "agent command result")
        #expect(logged.count == 1)
        #expect(logged.allSatisfy { $0.contains("node=n1") && $0.contains("command=7") && $0.contains("accepted=false") })
    }

    // MARK: - Session tickets

    @Test(arguments: [(nil as Duration?, 0), (.seconds(3_600), 0), (.seconds(3_601), 1)])
    func aSessionResumedPastHalfItsTicketsLifetimeGetsAFreshTicketAtWelcome(age: Duration?, tickets: Int) throws {
        let port = try AgentPort()
        port.publish(.leader(term: 4, lease: .seconds(5)))
        let agent = port.connect(certifiedAs: "n1", resumedSessionAge: age)
        agent.send(AgentSays.hello("n1"))
        #expect(try agent.received().count == 1)
        #expect(agent.connection.issuedTicketCount == tickets)
    }

    @Test func aTicketKeyRotationGetsTheSessionAFreshTicketAtItsNextReportOnly() throws {
        let port = try AgentPort()
        port.publish(.leader(term: 4, lease: .seconds(60)))
        port.ticketKeys.install([])
        let agent = port.connect(certifiedAs: "n1")
        agent.send(AgentSays.hello("n1"))
        try agent.send(AgentSays.report(first: 1, count: 1))
        #expect(agent.connection.issuedTicketCount == 0, "keys installed before the welcome are the session's own")
        port.ticketKeys.install([])
        #expect(agent.connection.issuedTicketCount == 0, "a rotation waits for the next report")
        try agent.send(AgentSays.report(first: 2, count: 1))
        #expect(agent.connection.issuedTicketCount == 1)
        try agent.send(AgentSays.report(first: 3, count: 1))
        #expect(agent.connection.issuedTicketCount == 1)
        #expect(try agent.received().count == 4)
    }

    // MARK: - Inventory

    @Test func theInventoryIsWrittenOnceAndRetriedOnAReportOnlyAfterTheWriteFailed() throws {
        let port = try AgentPort()
        port.publish(.leader(term: 4, lease: .seconds(60)))
        let agent = port.connect(certifiedAs: "n1")
        agent.send(AgentSays.hello("n1"))
        try agent.send(AgentSays.report(first: 1, count: 1))
        #expect(try port.raft.proposedRecords() == [AgentSays.record("n1")], "one write in flight at a time")
        try port.raft.answerPending(succeeding: false)
        #expect(port.logLines(containing: "node inventory write failed").count == 1)
        try agent.send(AgentSays.report(first: 2, count: 1))
        #expect(try port.raft.proposedRecords() == [AgentSays.record("n1"), AgentSays.record("n1")])
        try port.raft.answerPending(succeeding: true)
        try agent.send(AgentSays.report(first: 3, count: 1))
        let again = port.connect(certifiedAs: "n1")
        again.send(AgentSays.hello("n1"))
        #expect(try port.raft.proposedRecords().count == 2, "a stored record is not written again")
        let moved = port.connect(certifiedAs: "n1")
        moved.send(AgentSays.hello("n1", environment: "staging"))
        #expect(try port.raft.proposedRecords().last == AgentSays.record("n1", environment: "staging"))
        #expect(try port.raft.proposedRecords().count == 3)
    }
}
