@testable import Coordinator
import Telemetry
import Testing
import Transport
import Wire

/// The leader forgets the window of a node it has not heard from for `--node-retention`, on
/// the views Raft publishes, reading the gateway's clock: the window stays until the
/// retention has run from the end of the node's session, goes after it, and a node that
/// keeps its session keeps its window. The node is still listed from its inventory, down.
@Suite struct AgentWindowRetentionTests {
    static let retention: Duration = .seconds(3_600)

    /// A port acting as leader, with a long idle timeout so silent sessions stay open.
    static func port() throws -> AgentPort {
        var settings = AgentGateway.Settings()
        settings.limits.retention = retention
        let port = try AgentPort(settings: settings, idleTimeout: .seconds(10 * 86_400))
        port.publish(.leader(term: 2, lease: .seconds(5)))
        return port
    }

    /// Moves the virtual clock and publishes a fresh leader view, as Raft does every tick.
    static func pass(_ duration: Duration, on port: AgentPort) {
        port.embedded.advanceTime(by: duration)
        port.publish(.leader(term: 2, lease: .seconds(5)))
    }

    @Test func aDisconnectedNodesWindowIsKeptUntilTheRetentionAndDroppedAfterIt() throws {
        let port = try Self.port()
        let gone = try port.reported("gone", samples: 3)
        try port.raft.answerPending(succeeding: true)
        let silent = port.connect(certifiedAs: "silent")
        silent.send(AgentSays.hello("silent"))
        Self.pass(.seconds(10), on: port)
        gone.connection.peerClosed()
        port.embedded.run()
        let closedAt = port.now

        Self.pass(Self.retention - .seconds(1), on: port)
        #expect(port.gateway.window(of: "gone")?.sampleCount == 3, "kept a second before the retention ran out")
        #expect(port.metrics.value("hotswap_agent_windows_evicted_total") == 0)

        Self.pass(.seconds(1), on: port)
        #expect(port.now == closedAt.advanced(by: Self.retention))
        #expect(port.gateway.window(of: "gone") == nil, "dropped once the retention ran out")
        #expect(port.gateway.window(of: "silent") != nil, "a node with a session keeps its window however long it is silent")
        #expect(port.metrics.value("hotswap_agent_windows_evicted_total") == 1)
        #expect(port.logLines(containing: "node windows evicted").count == 1)

        guard case let .document(bytes) = port.gateway.answer(.node(id: "gone")) else {
            Issue.record("a node with an inventory record is still listed after its window went")
            return
        }
        let listed = String(decoding: bytes, as: UTF8.self)
        #expect(listed.contains("\"status\":\"down\""), "\(listed)")
        #expect(listed.contains("\"lastReport\":null"), "\(listed)")
        #expect(listed.contains("\"environment\":\"prod\""), "the inventory stays: \(listed)")
    }

    @Test func aNodeThatComesBackAfterEvictionStartsAFreshWindow() throws {
        let port = try Self.port()
        let first = try port.reported("n1", samples: 2)
        first.connection.peerClosed()
        port.embedded.run()
        Self.pass(Self.retention, on: port)
        #expect(port.gateway.window(of: "n1") == nil)

        let again = port.connect(certifiedAs: "n1")
        again.send(AgentSays.hello("n1"))
        #expect(try again.received() == [.welcome(AgentWelcome(leaderTerm: 2, leaderName: "c1", acknowledgedSequence: 0))],
                "the leader holds nothing of the node any more, so the agent resends what it has")
        #expect(port.gateway.window(of: "n1")?.sampleCount == 0)
    }
}
