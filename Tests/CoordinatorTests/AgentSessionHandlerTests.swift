@testable import Coordinator
import Telemetry
import Testing
import Transport

/// A coordinator's agent session over an embedded connection with virtual
/// time: what a hello is answered with (welcome, redirect, hold), reports and
/// their acknowledgements, tickets and the inventory write. No sockets, no
/// Raft log, no sleeps.
@Suite struct AgentSessionHandlerTests {
    static let redirected = CloseReason.local("not the acting leader; agent redirected")

    // MARK: - Welcome

    @Test func anActingLeaderWelcomesAHelloWithItsTermItsNameAndNothingAcknowledgedYet() throws {
        let port = try AgentPort()
        port.publish(.leader(term: 4, lease: .seconds(5)))
        let agent = port.connect(certifiedAs: "n1")
        agent.send(AgentSays.hello("n1"))
        #expect(try agent.received() == [.welcome(AgentWelcome(leaderTerm: 4, leaderName: "c1", acknowledgedSequence: 0))])
        #expect(agent.connection.isOpen)
        #expect(port.metrics.value("hotswap_agents_connected") == 1)
        #expect(port.gateway.window(of: "n1")?.sampleCount == 0)
        #expect(try port.raft.proposedRecords() == [AgentSays.record("n1")])
    }

    @Test(arguments: [(UInt64(100), UInt64(5)), (UInt64(101), UInt64(0))])
    func aReconnectingAgentIsWelcomedWithWhatTheLeaderHoldsOfItsIncarnation(incarnation: UInt64, acknowledged: UInt64) throws {
        let port = try AgentPort()
        port.publish(.leader(term: 4, lease: .seconds(5)))
        let first = port.connect(certifiedAs: "n1")
        first.send(AgentSays.hello("n1", incarnation: 100))
        try first.send(AgentSays.report(incarnation: 100, first: 1, count: 5))
        #expect(try first.received().last == .ack(ReportAck(leaderTerm: 4, acknowledgedSequence: 5)))
        first.connection.peerClosed()
        #expect(port.metrics.value("hotswap_agents_connected") == 0)
        let second = port.connect(certifiedAs: "n1")
        second.send(AgentSays.hello("n1", incarnation: incarnation))
        #expect(try second.received() == [.welcome(AgentWelcome(leaderTerm: 4, leaderName: "c1", acknowledgedSequence: acknowledged))])
    }

    @Test(arguments: [UInt64(0), 3, 4, 9])
    func theLeaderDoesNotFenceOnTheAgentsTermItWelcomesWithItsOwn(highestSeenTerm: UInt64) throws {
        // Fencing is the agent's: it refuses a welcome or an acknowledgement
        // below the highest term it has seen (AgentSessionCoreTests).
        let port = try AgentPort()
        port.publish(.leader(term: 4, lease: .seconds(5)))
        let agent = port.connect(certifiedAs: "n1")
        agent.send(AgentSays.hello("n1", highestSeenTerm: highestSeenTerm))
        try agent.send(AgentSays.report(first: 1, count: 1, highestSeenTerm: highestSeenTerm))
        #expect(try agent.received() == [.welcome(AgentWelcome(leaderTerm: 4, leaderName: "c1", acknowledgedSequence: 0)),
                                         .ack(ReportAck(leaderTerm: 4, acknowledgedSequence: 1))])
        #expect(agent.connection.isOpen)
    }

    // MARK: - Not the acting leader

    /// What a coordinator that does not act as leader does with a hello.
    struct NotActing: CustomTestStringConvertible, Sendable {
        let view: ViewScript
        let formerLeader: FormerLeader?
        /// Nil: the hello is held.
        let redirect: AgentRedirect?
        var testDescription: String { "\(view), former leader \(formerLeader.map { "\($0.name)@\($0.term)" } ?? "none")" }
    }

    static let notActing: [NotActing] = [
        NotActing(view: .follower(term: 5, leader: "c2"), formerLeader: nil,
                  redirect: AgentRedirect(term: 5, leaderName: "c2", leaderAgentAddress: "10.0.0.2:7100")),
        NotActing(view: .follower(term: 5, leader: "c2"), formerLeader: FormerLeader(name: "c1", term: 4),
                  redirect: AgentRedirect(term: 5, leaderName: "c2", leaderAgentAddress: "10.0.0.2:7100")),
        NotActing(view: .follower(term: 5, leader: "c2"), formerLeader: FormerLeader(name: "c2", term: 4),
                  redirect: AgentRedirect(term: 5, leaderName: "c2", leaderAgentAddress: "10.0.0.2:7100")),
        NotActing(view: .follower(term: 5, leader: "c2"), formerLeader: FormerLeader(name: "c2", term: 5), redirect: nil),
        NotActing(view: .follower(term: 5, leader: "c3"), formerLeader: nil, redirect: nil),
        NotActing(view: .follower(term: 5, leader: nil), formerLeader: nil, redirect: nil),
        NotActing(view: .leader(term: 5, lease: .zero), formerLeader: nil, redirect: nil),
    ]

    @Test(arguments: notActing)
    func aCoordinatorThatDoesNotActAsLeaderRedirectsAndClosesOrHoldsTheHello(_ situation: NotActing) throws {
        let port = try AgentPort()
        port.publish(situation.view)
        let agent = port.connect(certifiedAs: "n1")
        agent.send(AgentSays.hello("n1", formerLeader: situation.formerLeader))
        if let redirect = situation.redirect {
            #expect(try agent.received() == [.redirect(redirect)])
            #expect(agent.closeReason == Self.redirected)
            #expect(port.gateway.holds.count == 0)
        } else {
            #expect(try agent.received() == [])
            #expect(agent.connection.isOpen)
            #expect(port.metrics.value("hotswap_agent_hellos_held") == 1)
        }
        #expect(port.metrics.value("hotswap_agents_connected") == 0)
        #expect(try port.raft.proposedRecords() == [], "only a welcomed hello writes the inventory")
    }

    @Test(arguments: [
        (ViewScript.leader(term: 6, lease: .seconds(5)),
         Sent.welcome(AgentWelcome(leaderTerm: 6, leaderName: "c1", acknowledgedSequence: 0))),
        (.follower(term: 6, leader: "c2"), .redirect(AgentRedirect(term: 6, leaderName: "c2", leaderAgentAddress: "10.0.0.2:7100"))),
    ])
    func aHeldHelloIsAnsweredByTheFirstViewThatDecidesIt(decidingView: ViewScript, answer: Sent) throws {
        let port = try AgentPort()
        port.publish(.follower(term: 5, leader: nil))
        let agent = port.connect(certifiedAs: "n1")
        agent.send(AgentSays.hello("n1"))
        port.embedded.advanceTime(by: .milliseconds(500))
        port.publish(.follower(term: 6, leader: nil))
        port.publish(.leader(term: 6, lease: .zero))
        #expect(try agent.received() == [], "no view so far names a leader worth going to")
        port.publish(decidingView)
        #expect(try agent.received() == [answer])
        #expect(port.gateway.holds.count == 0)
        if case .welcome = answer {
            #expect(agent.connection.isOpen)
            #expect(port.metrics.value("hotswap_agents_connected") == 1)
        } else {
            #expect(agent.closeReason == Self.redirected)
        }
    }

    @Test(arguments: [
        (ViewScript.follower(term: 5, leader: nil), nil as FormerLeader?, AgentRedirect(term: 5, leaderName: "", leaderAgentAddress: "")),
        (.follower(term: 5, leader: "c2"), FormerLeader(name: "c2", term: 5),
         AgentRedirect(term: 5, leaderName: "c2", leaderAgentAddress: "10.0.0.2:7100")),
        (.leader(term: 5, lease: .zero), nil, AgentRedirect(term: 5, leaderName: "c1", leaderAgentAddress: "10.0.0.1:7100")),
    ])
    func aHeldHelloGetsTheBestAnswerThereIsOnceItsHoldRunsOut(view: ViewScript, formerLeader: FormerLeader?,
                                                              answer: AgentRedirect) throws {
        var settings = AgentGateway.Settings()
        settings.helloHold = .seconds(2)
        let port = try AgentPort(settings: settings)
        port.publish(view)
        let agent = port.connect(certifiedAs: "n1")
        agent.send(AgentSays.hello("n1", formerLeader: formerLeader))
        port.embedded.advanceTime(by: .milliseconds(1_999))
        port.publish(view)
        #expect(try agent.received() == [], "held until its hold runs out")
        port.embedded.advanceTime(by: .milliseconds(1))
        #expect(try agent.received() == [], "a hold is decided only when a view is published")
        port.publish(view)
        #expect(try agent.received() == [.redirect(answer)])
        #expect(agent.closeReason == Self.redirected)
        #expect(port.gateway.holds.count == 0)
    }

    @Test func helloesBeyondTheHoldTableAreRedirectedAtOnceAndAClosedHoldIsReleased() throws {
        var settings = AgentGateway.Settings()
        settings.limits.nodesMaximum = 1
        let port = try AgentPort(settings: settings)
        port.publish(.follower(term: 5, leader: nil))
        let held = port.connect(certifiedAs: "n1")
        held.send(AgentSays.hello("n1"))
        let overflow = port.connect(certifiedAs: "n2")
        overflow.send(AgentSays.hello("n2"))
        #expect(try overflow.received() == [.redirect(AgentRedirect(term: 5, leaderName: "", leaderAgentAddress: ""))])
        #expect(overflow.closeReason == Self.redirected)
        #expect(port.gateway.holds.count == 1)
        held.connection.peerClosed()
        #expect(port.gateway.holds.count == 0, "a closed connection's hold is released")
        port.publish(.leader(term: 6, lease: .seconds(5)))
        #expect(held.watched.writesAfterClose == 0)
        #expect(port.metrics.value("hotswap_agents_connected") == 0)
    }
}
