@testable import Coordinator
import Fleet
import Telemetry
import Testing
import Transport
import Wire

/// A hello of an enrolled node that reports another environment than it enrolled for is refused on any coordinator:
/// the agent is told why in a hello refusal, the connection closes, nothing is welcomed or written, and it is counted.
@Suite struct AgentEnvironmentRefusalTests {
    /// n1 enrolled for staging after the harness's certificates were issued (notBefore 1_700_000_000, backdated 300 s).
    static let binding = EnrolledBinding(environment: "staging", enrolledAtMilliseconds: 1_700_000_300_000)
    static let reason = FleetState.enrolledEnvironmentRefusal(node: "n1", bound: binding, reports: "production",
                                                              notBeforeSeconds: 1_700_000_000, backdatingSeconds: 300) ?? ""
    static let predating = FleetState.enrolledEnvironmentRefusal(node: "n1", bound: binding, reports: "staging",
                                                                 notBeforeSeconds: 1_699_999_999, backdatingSeconds: 300) ?? ""

    /// Publishes `script` with node n1 enrolled for `staging`.
    static func publishEnrolled(_ port: AgentPort, _ script: ViewScript) {
        var view = port.view(script)
        view.enrolledEnvironments = ["n1": binding]
        port.raft.set(view: view)
        port.gateway.follow(view)
        port.embedded.run()
    }

    @Test(arguments: [ViewScript.leader(term: 4, lease: .seconds(60)), .follower(term: 4, leader: "c2")])
    func aHelloReportingAnotherEnvironmentIsRefusedWithItsReason(_ script: ViewScript) throws {
        let port = try AgentPort()
        Self.publishEnrolled(port, script)
        let agent = port.connect(certifiedAs: "n1")
        agent.send(AgentSays.hello("n1", environment: "production"))
        #expect(try agent.received() == [.refusal(Self.reason)])
        #expect(agent.closeReason == .local("hello refused: \(Self.reason)"))
        #expect(port.metrics.value(#"hotswap_agent_hellos_refused_total{reason="environment"}"#) == 1)
        #expect(port.metrics.value("hotswap_agent_sessions_refused_total") == 1)
        #expect(port.gateway.window(of: "n1") == nil)
        #expect(try port.raft.proposedRecords().isEmpty)
        #expect(port.logLines(containing: "agent hello refused").count == 1)
    }

    @Test func theEnvironmentItEnrolledForIsWelcomedAndOtherNodesMoveFreely() throws {
        let port = try AgentPort()
        Self.publishEnrolled(port, .leader(term: 4, lease: .seconds(60)))
        let enrolled = port.connect(certifiedAs: "n1")
        enrolled.send(AgentSays.hello("n1", environment: "staging"))
        #expect(try enrolled.received() == [.welcome(AgentWelcome(leaderTerm: 4, leaderName: "c1", acknowledgedSequence: 0))])
        let issued = port.connect(certifiedAs: "n2")
        issued.send(AgentSays.hello("n2", environment: "production"))
        #expect(try issued.received() == [.welcome(AgentWelcome(leaderTerm: 4, leaderName: "c1", acknowledgedSequence: 0))])
        #expect(port.metrics.value(#"hotswap_agent_hellos_refused_total{reason="environment"}"#) == 0)
    }

    /// A squatter's certificate from an earlier enrollment of the name (notBefore + backdating before the latest
    /// enrollment) is refused even reporting the bound environment; a renewed one (issued later) is welcomed.
    @Test(arguments: [ViewScript.leader(term: 4, lease: .seconds(60)), .follower(term: 4, leader: "c2")])
    func aCertificateFromBeforeTheLatestEnrollmentIsRefused(_ script: ViewScript) throws {
        let port = try AgentPort()
        Self.publishEnrolled(port, script)
        let squatter = port.connect(certifiedAs: "n1", notBeforeSeconds: 1_699_999_999)
        squatter.send(AgentSays.hello("n1", environment: "staging"))
        #expect(try squatter.received() == [.refusal(Self.predating)])
        #expect(Self.predating.contains("a certificate from before the node's latest enrollment"))
        #expect(squatter.closeReason == .local("hello refused: \(Self.predating)"))
        #expect(port.gateway.window(of: "n1") == nil)
        let renewed = port.connect(certifiedAs: "n1", notBeforeSeconds: 1_700_086_400)
        renewed.send(AgentSays.hello("n1", environment: "staging"))
        let answers = try renewed.received()
        #expect(!answers.isEmpty && !answers.contains { if case .refusal = $0 { true } else { false } })
    }

    /// An inventory write the fleet rejects for the environment (a leader whose view lagged welcomed the hello) is not
    /// retried on every report: the session is refused with the reason and closed.
    @Test func aRejectedInventoryRefusesTheSessionInsteadOfRetrying() throws {
        let port = try AgentPort()
        port.publish(.leader(term: 4, lease: .seconds(60)))
        let agent = port.connect(certifiedAs: "n1")
        agent.send(AgentSays.hello("n1", environment: "production"))
        try agent.send(AgentSays.report(first: 1, count: 1))
        #expect(try port.raft.proposedRecords() == [AgentSays.record("n1", environment: "production")])
        port.raft.answerPending(with: .applied(.rejected(.invalidNode(Self.reason))))
        port.embedded.run()
        #expect(try agent.received().last == .refusal(Self.reason))
        #expect(agent.closeReason == .local("session refused: \(Self.reason)"))
        #expect(port.metrics.value(#"hotswap_agent_hellos_refused_total{reason="environment"}"#) == 1)
        #expect(port.logLines(containing: "agent session refused").count == 1)
        #expect(try port.raft.proposedRecords().count == 1)
    }
}
