import Cluster
import Consensus
import Fleet
import Gateway
import Primitives
import Testing

@Suite struct ClusterViewTests {
    static let now = MonotonicInstant(nanoseconds: 10_000_000_000)
    static let directory = MemberDirectory(founding: try! ClusterTopology.parse("c1=127.0.0.1:7001,c2=127.0.0.1:7002"),
                                           advertised: ["c1": AdvertisedAddresses(name: "c1", apiAddress: "127.0.0.1:8001",
                                                                                  agentAddress: "127.0.0.1:9001")])

    static func leader(leaseFor lease: Duration?) -> ClusterView {
        var view = ClusterView(selfName: "c1", directory: directory)
        view.role = .leader
        view.term = 3
        view.leaderName = "c1"
        view.leaseExpiresAt = lease.map { now.advanced(by: $0) }
        view.voters = [ClusterTopology.nodeID(forName: "c1"), ClusterTopology.nodeID(forName: "c2")]
        return view
    }

    @Test func aLeaderActsOnlyWhileItsLeaseRuns() {
        let view = Self.leader(leaseFor: .milliseconds(1_500))
        #expect(view.leaseRemainingMilliseconds(at: Self.now) == 1_500)
        #expect(view.isActingLeader(at: Self.now))
        #expect(view.leaseRemainingMilliseconds(at: Self.now.advanced(by: .seconds(2))) == 0)
        #expect(!view.isActingLeader(at: Self.now.advanced(by: .milliseconds(1_500))))
        #expect(!Self.leader(leaseFor: nil).isActingLeader(at: Self.now))
        var follower = view
        follower.role = .follower
        #expect(!follower.isActingLeader(at: Self.now), "a lease is a leader's only")
    }

    @Test func helloKnowledgeNamesTheLeaderAndItsAgentAddress() {
        let view = Self.leader(leaseFor: .seconds(1))
        #expect(view.helloKnowledge(at: Self.now) == HelloRoute.Knowledge(
            isActingLeader: true, isLeader: true, term: 3, leaderName: "c1", leaderAgentAddress: "127.0.0.1:9001"))
        var unknown = view
        unknown.leaderName = "c2"
        #expect(unknown.leaderAgentAddress == "", "c2 published no address")
        #expect(unknown.isLeaderKnown)
    }

    @Test func theJSONShowsTheMembersAndTheLease() {
        let c1 = ClusterTopology.nodeID(forName: "c1")
        let c2 = ClusterTopology.nodeID(forName: "c2")
        #expect(Self.leader(leaseFor: .milliseconds(250)).json(at: Self.now) == "{\"name\":\"c1\",\"role\":\"leader\",\"leader\":\"c1\","
            + "\"term\":3,\"commitIndex\":0,\"appliedIndex\":0,\"lastIndex\":0,\"nodesRecorded\":0,\"clusterVersion\":null,"
            + "\"leaseRemainingMilliseconds\":250,\"actingAsLeader\":true,\"members\":["
            + "{\"name\":\"c1\",\"id\":\"\(c1)\",\"role\":\"voter\",\"peerAddress\":\"127.0.0.1:7001\",\"apiAddress\":\"127.0.0.1:8001\","
            + "\"agentAddress\":\"127.0.0.1:9001\",\"isLeader\":true,\"health\":\"healthy\",\"matchIndex\":0,\"lag\":0,"
            + "\"lastContactMilliseconds\":0},"
            + "{\"name\":\"c2\",\"id\":\"\(c2)\",\"role\":\"voter\",\"peerAddress\":\"127.0.0.1:7002\",\"apiAddress\":\"\","
            + "\"agentAddress\":\"\",\"isLeader\":false,\"health\":\"unreachable\",\"matchIndex\":null,\"lag\":null,"
            + "\"lastContactMilliseconds\":null}]}")
    }

    @Test func theJSONShowsTheClusterVersionOnceSet() {
        var view = Self.leader(leaseFor: nil)
        view.clusterVersion = 7
        #expect(view.json(at: Self.now).contains("\"nodesRecorded\":0,\"clusterVersion\":7,"))
    }

    @Test func theJSONShowsEachMembersLagAndLastContactFromTheLeader() {
        let c2 = ClusterTopology.nodeID(forName: "c2")
        var view = Self.leader(leaseFor: .seconds(1))
        view.lastIndex = 1_400
        view.matchIndexes = [ClusterTopology.nodeID(forName: "c1"): 1_400, c2: 300]
        view.lastHeard = [c2: MonotonicInstant(nanoseconds: Self.now.nanoseconds - 40_000_000)]
        #expect(view.replication(of: c2, at: Self.now).health == .lagging)
        #expect(view.json(at: Self.now).contains("\"name\":\"c2\",\"id\":\"\(c2)\",\"role\":\"voter\"")
                && view.json(at: Self.now).hasSuffix("\"isLeader\":false,\"health\":\"lagging\",\"matchIndex\":300,\"lag\":1100,"
                                                     + "\"lastContactMilliseconds\":40}]}"))
        view.lastHeard = [c2: MonotonicInstant(nanoseconds: Self.now.nanoseconds - 2_000_000_000)]
        #expect(view.replication(of: c2, at: Self.now).health == .unreachable, "a frozen follower is silent beyond the limit")
    }
}
