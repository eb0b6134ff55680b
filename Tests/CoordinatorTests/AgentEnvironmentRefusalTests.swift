@testable import Coordinator
import Fleet
import Telemetry
import Testing
import Transport
import Wire

/// A hello of an enrolled node that reports another environment than it enrolled for is refused on any coordinator:
/// the agent is told why in a hello refusal, the connection closes, nothing is welcomed or written, and it is counted.
@Suite struct AgentEnvironmentRefusalTests {
    static let reason = FleetState.enrolledEnvironmentRefusal(node: "n1", bound: "staging", reports: "production") ?? ""

    /// Publishes `script` with node n1 enrolled for `staging`.
    static func publishEnrolled(_ port: AgentPort, _ script: ViewScript) {
        var view = port.view(script)
        view.enrolledEnvironments = ["n1": "staging"]
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
}
