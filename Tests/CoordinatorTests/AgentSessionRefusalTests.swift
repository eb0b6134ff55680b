@testable import Coordinator
import Telemetry
import Primitives
import Testing
import Transport
import Wire

/// What closes an agent session on the coordinator, and why: malformed and
/// unexpected frames, a hello that does not match its certificate, a full
/// table, silence past the idle timeout. Each closes that connection only.
@Suite struct AgentSessionRefusalTests {
    /// A frame the coordinator closes the connection on, and the reason it gives.
    struct Refusal: CustomTestStringConvertible, Sendable {
        let name: String
        var certified: String? = "n1"
        /// The session was welcomed before the frame arrived.
        var welcomedFirst = false
        let frame: Frame
        let reason: String
        var testDescription: String { name }
    }

    static func hello(_ hello: AgentHello) -> Frame { helloBytes(AgentSessionCodec.encode(hello)) }
    static func helloBytes(_ bytes: [UInt8]) -> Frame { Frame(kind: FrameKind.agentHello.rawValue, payload: bytes) }
    static func kind(_ kind: FrameKind, _ payload: [UInt8] = [1]) -> Frame { Frame(kind: kind.rawValue, payload: payload) }

    /// What the handler says of bytes that `decode` refuses.
    static func malformed<Message>(_ bytes: [UInt8], _ decode: ([UInt8]) throws(BinaryDecodingError) -> Message) -> String {
        do {
            _ = try decode(bytes)
        } catch {
            return "malformed frame: \(error)"
        }
        return "malformed frame: (the codec accepted these bytes)"
    }

    static let fresh = "agent (no hello yet): "
    static let helloWithTrailingByte = AgentSessionCodec.encode(AgentSays.hello("n1")) + [0]
    static let helloOfVersion2: [UInt8] = [2] + Array(AgentSessionCodec.encode(AgentSays.hello("n1")).dropFirst())
    static var slowHello: AgentHello {
        var hello = AgentSays.hello("n1")
        hello.reportIntervalMilliseconds = 50
        return hello
    }

    static let refusals: [Refusal] = [
        Refusal(name: "report before hello", frame: kind(.report), reason: fresh + "a report before hello"),
        Refusal(name: "command result before hello", frame: kind(.agentCommandResult), reason: fresh + "a command result before hello"),
        Refusal(name: "empty hello", frame: helloBytes([]), reason: fresh + "malformed frame: input ends early at byte 0"),
        Refusal(name: "hello of version 2", frame: helloBytes(helloOfVersion2),
                reason: fresh + "malformed frame: encoding version 2 is not supported"),
        Refusal(name: "hello with a trailing byte", frame: helloBytes(helloWithTrailingByte),
                reason: fresh + malformed(helloWithTrailingByte, AgentSessionCodec.decodeHello)),
        Refusal(name: "hello with an interval under 100 ms", frame: hello(slowHello),
                reason: fresh + "malformed frame: invalid value at byte 9: report interval 50 ms out of range"),
        Refusal(name: "hello for another node", frame: hello(AgentSays.hello("n2")),
                reason: fresh + "hello claims node 'n2' but the certificate names 'n1'"),
        Refusal(name: "no certificate identity", certified: nil, frame: hello(AgentSays.hello("n1")),
                reason: fresh + "no certificate identity"),
        Refusal(name: "hello with an invalid environment", frame: hello(AgentSays.hello("n1", environment: "Prod!")),
                reason: fresh + "node n1: environment 'Prod!' must match [a-z0-9][a-z0-9-]{0,62}"),
        Refusal(name: "raft message on the agent port", frame: kind(.raft), reason: fresh + "unexpected frame kind 3"),
        Refusal(name: "unknown kind", frame: Frame(kind: 200, payload: []), reason: fresh + "unexpected frame kind 200"),
        Refusal(name: "second hello", welcomedFirst: true, frame: hello(AgentSays.hello("n1")), reason: "agent n1: a second hello"),
        Refusal(name: "malformed report", welcomedFirst: true, frame: kind(.report, [0xFF]),
                reason: "agent n1: " + malformed([0xFF], ReportCodec.decodeReport)),
        Refusal(name: "malformed command result", welcomedFirst: true, frame: kind(.agentCommandResult, [1, 7]),
                reason: "agent n1: " + malformed([1, 7], AgentSessionCodec.decodeCommandResult)),
        Refusal(name: "welcome from an agent", welcomedFirst: true, frame: kind(.agentWelcome),
                reason: "agent n1: unexpected frame kind 9"),
        Refusal(name: "report acknowledgement from an agent", welcomedFirst: true, frame: kind(.reportAck),
                reason: "agent n1: unexpected frame kind 7"),
        Refusal(name: "pong from an agent", welcomedFirst: true, frame: kind(.pong), reason: "agent n1: unexpected frame kind 2"),
    ]

    @Test(arguments: refusals)
    func aBadFrameClosesOnlyItsOwnSessionWithTheReasonLogged(_ refusal: Refusal) throws {
        let port = try AgentPort()
        port.publish(.leader(term: 4, lease: .seconds(60)))
        let bystander = port.connect(certifiedAs: "n9")
        bystander.send(AgentSays.hello("n9"))
        let agent = port.connect(certifiedAs: refusal.certified)
        if refusal.welcomedFirst {
            agent.send(AgentSays.hello("n1"))
            #expect(try agent.received().count == 1)
            #expect(port.metrics.value("hotswap_agents_connected") == 2)
        }
        agent.send(refusal.frame)
        #expect(agent.closeReason == .protocolViolation(refusal.reason))
        #expect(try agent.received() == [])
        #expect(port.metrics.value("hotswap_agent_sessions_refused_total") == 1)
        #expect(port.metrics.value("hotswap_agents_connected") == 1, "only the bystander's session is left")
        try bystander.send(AgentSays.report(first: 1, count: 1))
        #expect(try bystander.received().last == .ack(ReportAck(leaderTerm: 4, acknowledgedSequence: 1)))
        #expect(bystander.connection.isOpen)
    }

    @Test func aFrameTheChannelCannotReadClosesTheSessionBeforeTheHandlerSeesIt() throws {
        let port = try AgentPort()
        port.publish(.leader(term: 4, lease: .seconds(5)))
        let agent = port.connect(certifiedAs: "n1")
        agent.send(AgentSays.hello("n1"))
        agent.send(Frame(kind: FrameKind.report.rawValue, payload: [1], version: 9))
        #expect(agent.closeReason == .protocolViolation("bad frame: \(FrameError.unsupportedVersion(9))"))
        #expect(port.metrics.value("hotswap_agent_sessions_refused_total") == 0, "the channel refused it, not the session")
        #expect(port.metrics.value("hotswap_agents_connected") == 0)
    }

    @Test func aSecondHelloWhileTheFirstIsHeldIsRefusedAndTheHoldReleased() throws {
        let port = try AgentPort()
        port.publish(.follower(term: 5, leader: nil))
        let agent = port.connect(certifiedAs: "n1")
        agent.send(AgentSays.hello("n1"))
        #expect(port.gateway.holds.count == 1)
        agent.send(AgentSays.hello("n1"))
        #expect(agent.closeReason == .protocolViolation("agent (no hello yet): a second hello"))
        #expect(port.gateway.holds.count == 0)
        port.publish(.leader(term: 6, lease: .seconds(5)))
        #expect(try agent.received() == [])
        #expect(agent.watched.writesAfterClose == 0)
    }

    @Test func aNewNodeBeyondTheTableIsRefusedWhileAKnownOneReconnects() throws {
        var settings = AgentGateway.Settings()
        settings.limits.nodesMaximum = 1
        let port = try AgentPort(settings: settings)
        port.publish(.leader(term: 4, lease: .seconds(5)))
        let first = port.connect(certifiedAs: "n1")
        first.send(AgentSays.hello("n1"))
        let refused = port.connect(certifiedAs: "n2")
        refused.send(AgentSays.hello("n2"))
        #expect(refused.closeReason == .protocolViolation("agent (no hello yet): the leader already holds windows for 1 nodes"))
        #expect(try refused.received() == [])
        #expect(port.gateway.window(of: "n2") == nil)
        let again = port.connect(certifiedAs: "n1")
        again.send(AgentSays.hello("n1"))
        #expect(try again.received() == [.welcome(AgentWelcome(leaderTerm: 4, leaderName: "c1", acknowledgedSequence: 0))])
        #expect(port.metrics.value("hotswap_agent_sessions_refused_total") == 1)
    }

    // MARK: - Idle

    @Test func aStandbyThatOnlyPingsStaysUntilItIsSilentForTheIdleTimeout() throws {
        let port = try AgentPort(idleTimeout: .seconds(30))
        port.publish(.follower(term: 5, leader: "c2"))
        let standby = port.connect(certifiedAs: "n1")
        for _ in 0..<3 {
            port.embedded.advanceTime(by: .seconds(29))
            standby.send(Frame(kind: FrameKind.ping.rawValue, payload: [9]))
        }
        #expect(try standby.received() == [.pong([9]), .pong([9]), .pong([9])])
        port.embedded.advanceTime(by: .milliseconds(29_999))
        #expect(standby.connection.isOpen)
        port.embedded.advanceTime(by: .milliseconds(1))
        #expect(standby.closeReason == .timeout("no frame for 30.0 seconds"))
        #expect(port.metrics.value("hotswap_agent_sessions_refused_total") == 0)
    }

    @Test func aWelcomedSessionSilentForTheIdleTimeoutIsClosedAndForgotten() throws {
        let port = try AgentPort(idleTimeout: .seconds(10))
        port.publish(.leader(term: 4, lease: .seconds(60)))
        let agent = port.connect(certifiedAs: "n1")
        agent.send(AgentSays.hello("n1"))
        try agent.send(AgentSays.report(first: 1, count: 2))
        port.embedded.advanceTime(by: .seconds(10))
        #expect(agent.closeReason == .timeout("no frame for 10.0 seconds"))
        #expect(port.metrics.value("hotswap_agents_connected") == 0)
        #expect(port.gateway.window(of: "n1")?.sampleCount == 2, "the window outlives the session")
        port.publish(.follower(term: 5, leader: "c2"))
        #expect(try agent.received().count == 2, "welcome and acknowledgement only; nothing after the close")
        #expect(agent.watched.writesAfterClose == 0)
    }
}
