import Foundation
import Testing
import TestSupport

/// `GET /api/v1/events` across a leader's kill -9 (Docs/EVENTS.md): a client watching a
/// follower sees the writes with their log indexes as ids; after the leader dies it resumes on
/// a survivor with `Last-Event-ID` and gets exactly the events after that id — those written
/// during and after the failover included, none twice and none missing, as a replay of the
/// whole log from another survivor shows.
@Suite(.serialized)
struct EventStreamFailoverTests {
    @Test func aStreamResumesOnASurvivorAfterTheLeaderIsKilled() throws {
        let cluster = try ClusterFixture()
        let leader = try #require(cluster.agreedLeader())
        let followers = cluster.names.filter { $0 != leader }
        let watched = try #require(cluster.processes[followers[0]])

        let stream = try EventStreamClient(watched, token: cluster.token)
        try #require(stream.waitUntilOpen(), "no opening message: \(stream.body)")
        #expect(stream.status == 200)
        #expect(stream.headers["content-type"] == "text/event-stream")
        #expect(stream.headers["strict-transport-security"] == "max-age=31536000")
        for name in ["before-1", "before-2", "before-3"] {
            #expect((200...201).contains(cluster.putEnvironment(name, on: leader)))
        }
        let seen = stream.waitUntil { messages in messages.contains { $0.subject == "before-3" } }
        try #require(seen, "the follower's stream missed a write: \(stream.body)")
        let before = stream.events
        #expect(before.map(\.event) == ["environment", "environment", "environment"])
        #expect(before.compactMap(\.subject) == ["before-1", "before-2", "before-3"])
        let ids = before.compactMap(\.id)
        #expect(ids.count == 3 && ids == ids.sorted() && Set(ids).count == 3)
        #expect(before.allSatisfy { $0.json["id"] as? Int == $0.id.map(Int.init) })
        let lastSeen = try #require(ids.last)
        stream.close()

        cluster.kill(leader)
        // Written while the cluster elects a new leader, and after.
        #expect(cluster.putAcknowledged("during-failover"))
        let survivor = try #require(cluster.processes[followers[1]])
        #expect((200...201).contains(cluster.putEnvironment("after-failover", on: followers[1])))

        let resumed = try EventStreamClient(survivor, token: cluster.token, lastEventID: lastSeen)
        let caughtUp = resumed.waitUntil { messages in messages.contains { $0.subject == "after-failover" } }
        try #require(caughtUp, "the resumed stream did not catch up: \(resumed.body)")
        #expect(resumed.messages.first?.event == "open")
        #expect(resumed.messages.first?.id == lastSeen)

        // The whole log's events, replayed from the start by the other survivor.
        let replay = try EventStreamClient(watched, token: cluster.token, lastEventID: 0)
        let replayed = replay.waitUntil { messages in messages.contains { $0.subject == "after-failover" } }
        try #require(replayed, "the replay did not reach the last write: \(replay.body)")
        let expected = replay.events.filter { ($0.id ?? 0) > lastSeen }
        let got = resumed.events.filter { ($0.id ?? 0) <= (expected.last?.id ?? 0) }
        #expect(got == expected, "resumed after \(lastSeen): \(got.map(\.data)) but the log holds \(expected.map(\.data))")
        #expect(got.compactMap(\.subject).contains("during-failover"))
        #expect(replay.events.filter { ($0.id ?? 0) <= lastSeen && $0.event == "environment" }.suffix(3) == before)
    }
}
