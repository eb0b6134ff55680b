@testable import Coordinator
import Fleet
import Gateway
import Testing
import Transport

/// The leader's node list from the fragments its gateway keeps between answers
/// (`AgentGateway.listing`), after each thing that changes a node in it: a report, a node's
/// first hello, a changed inventory, a revocation and the time passing, a removal. Every answer
/// is compared with a fresh rendering of the same moment's snapshots and with the answer before
/// it, so a fragment kept past its change fails.
@Suite struct NodeListCacheInvalidationTests {
    /// The wall clock the answers are given at: a second after the samples `AgentSays` makes.
    static let wallClock: UInt64 = 1_700_000_001_000

    static func port() throws -> AgentPort {
        let port = try AgentPort(idleTimeout: .seconds(3_600))
        port.publish(.leader(term: 2, lease: .seconds(600)))
        return port
    }

    /// An agent of `node` that said hello and reported `samples` samples, its inventory applied.
    static func reported(_ node: String, samples: Int, on port: AgentPort) throws -> AgentLink {
        let agent = try port.reported(node, samples: samples)
        try port.raft.answerPending(succeeding: true)
        return agent
    }

    /// The list the gateway answers at the virtual now and `wall`, checked against a fresh
    /// rendering and, when given, against the answer before (a change must show).
    static func listed(on port: AgentPort, wall: UInt64 = wallClock, after previous: String? = nil,
                       sourceLocation: SourceLocation = #_sourceLocation) -> String {
        let entries = port.gateway.listing(now: port.now, wallClockMilliseconds: wall)
        let answer = String(decoding: NodeJSON.list(entries, leader: "c1", term: 2), as: UTF8.self)
        let fresh = NodeJSON.list(port.gateway.snapshots(now: port.now, wallClockMilliseconds: wall), leader: "c1", term: 2)
        #expect(answer == fresh, "as fresh as a new rendering", sourceLocation: sourceLocation)
        if let previous { #expect(answer != previous, "the change shows", sourceLocation: sourceLocation) }
        return answer
    }

    @Test func reportsHellosAndInventoryChangesShowInTheNextAnswer() throws {
        let port = try Self.port()
        let n1 = try Self.reported("n1", samples: 1, on: port)
        let first = Self.listed(on: port)
        #expect(first.contains("\"timestampMilliseconds\":1700000000001,"))

        try n1.send(AgentSays.report(first: 2, count: 1))
        let reported = Self.listed(on: port, after: first)
        #expect(reported.contains("\"timestampMilliseconds\":1700000000002,"))

        let n2 = port.connect(certifiedAs: "n2")
        n2.send(AgentSays.hello("n2"))
        let added = Self.listed(on: port, after: reported)
        #expect(added.contains("{\"id\":\"n2\",\"status\":\"live\",\"environment\":\"prod\""), "listed from its hello")

        // n1 comes back in another environment: shown once the new record is applied.
        let again = port.connect(certifiedAs: "n1")
        again.send(AgentSays.hello("n1", environment: "staging"))
        try port.raft.answerPending(succeeding: true)
        let moved = Self.listed(on: port, after: added)
        #expect(moved.contains("{\"id\":\"n1\",\"status\":\"live\",\"environment\":\"staging\""))

        guard case let .document(bytes) = port.gateway.answer(.nodes) else {
            Issue.record("the acting leader answers the list")
            return
        }
        let answered = String(decoding: bytes, as: UTF8.self)
        #expect(answered.contains("\"environment\":\"staging\"") && answered.contains("\"id\":\"n2\""), "\(answered)")
    }

    @Test func statusAndAgeFollowTheClocks() throws {
        let port = try Self.port()
        _ = try Self.reported("n1", samples: 1, on: port)
        let live = Self.listed(on: port)
        #expect(live.contains("\"status\":\"live\"") && live.contains("\"ageMilliseconds\":999,"))

        let older = Self.listed(on: port, wall: Self.wallClock + 2_000, after: live)
        #expect(older.contains("\"ageMilliseconds\":2999,"))
        port.embedded.advanceTime(by: .seconds(3))
        let suspect = Self.listed(on: port, wall: Self.wallClock + 2_000, after: older)
        #expect(suspect.contains("\"status\":\"suspect\""))
        port.embedded.advanceTime(by: .seconds(27))
        let down = Self.listed(on: port, wall: Self.wallClock + 2_000, after: suspect)
        #expect(down.contains("\"status\":\"down\""))
    }

    @Test func aRevokedNodeAgesAndARemovedOneGoes() throws {
        let port = try Self.port()
        let n1 = try Self.reported("n1", samples: 1, on: port)
        let n2 = try Self.reported("n2", samples: 1, on: port)
        let both = Self.listed(on: port)

        port.revocations.install(["n2": NodeRevocation(node: "n2", revokedAtMilliseconds: Self.wallClock)])
        port.embedded.run()
        #expect(n2.closeReason != nil, "the revocation closed n2's session")
        port.embedded.advanceTime(by: .seconds(3))
        try n1.send(AgentSays.report(first: 2, count: 1))
        let aged = Self.listed(on: port, after: both)
        #expect(aged.contains("{\"id\":\"n1\",\"status\":\"live\""))
        #expect(aged.contains("{\"id\":\"n2\",\"status\":\"suspect\""))

        var view = port.raft.view
        view.nodes["n2"] = nil
        port.raft.set(view: view)
        port.gateway.forget("n2")
        let removed = Self.listed(on: port, after: aged)
        #expect(!removed.contains("\"id\":\"n2\""))
        #expect(removed.contains("{\"id\":\"n1\",\"status\":\"live\""))
    }
}
