import Testing

@testable import Consensus

/// What may leave a node before its `Ready` is durable, what a snapshot records, and when a
/// lease may be used: the rules the coordinator and the simulator both take from the core.
@Suite struct PersistenceOrderTests {
    @Test func singleVoterSendsNothingToItsLearnerBeforeItsNewTermIsDurable() throws {
        var network = TestNetwork(voters: [1], learners: [2])
        network.expireLeaderContact()
        network[1].campaign(.election)
        #expect(network[1].role == .leader, "a single voter wins at once")
        let ready = network[1].ready()
        #expect(ready.hardState?.term == 1 && ready.hardState?.vote == 1)
        #expect(ready.messages.isEmpty, "a crash before the fsync could let this node win term 1 again")
        #expect(ready.messagesAfterPersist.map(\.kind) == [.append])
    }

    @Test func leaderAppendsOverlapItsFsyncOnceTheTermIsDurable() throws {
        var network = TestNetwork(voters: [1, 2, 3])
        network.elect(1)
        try network[1].propose([7])
        let ready = network[1].ready()
        #expect(ready.hardState == nil)
        #expect(ready.messages.map(\.kind) == [.append, .append])
        #expect(ready.messages.allSatisfy { $0.commit <= network[1].log.persistedLastIndex })
        #expect(ready.messagesAfterPersist.isEmpty)
    }

    @Test func votesWaitForTheFsync() throws {
        var network = TestNetwork(voters: [1, 2, 3]) { $0.preVote = false }
        network.expireLeaderContact()
        network[1].campaign(.election)
        let campaign = network[1].ready()
        #expect(campaign.messages.isEmpty && campaign.messagesAfterPersist.map(\.kind) == [.vote, .vote])
    }

    @Test func compactionRecordsTheTermAndMembershipInForceAtItsIndexNotTheCurrentOnes() throws {
        var network = TestNetwork(voters: [1, 2, 3], others: [4])
        network.elect(1)
        try network.propose(1, [1])
        let compactedIndex = network[1].log.applied
        network.elect(2)
        try network[2].proposeMembershipChange(.addLearner(4))
        network.stabilize()
        #expect(network[1].term == 2 && network[1].tracker.membership.learners == [4])
        let made = network[1].compact(upTo: compactedIndex, snapshotData: [9])
        let snapshot = try #require(made)
        #expect(snapshot.metadata.index == compactedIndex)
        #expect(snapshot.metadata.term == 1, "the entry at the index is of term 1")
        #expect(snapshot.metadata.membership == Membership(voters: [1, 2, 3]), "the learner joined later")
        let again = network[1].compact(upTo: compactedIndex, snapshotData: [9])
        #expect(again == nil, "a stale index makes nothing")
    }

    @Test func newLeaderHoldsNoLeaseUntilAnEntryOfItsTermCommits() throws {
        var network = TestNetwork(voters: [1, 2, 3])
        network.elect(1)
        network.expireLeaderContact()
        network.droppedKinds = [.append]
        network.campaign(2)
        #expect(network[2].role == .leader)
        network.tick(2, times: 2)
        #expect(network.delivered.contains { $0.kind == .heartbeatResponse && $0.to == 2 }, "a quorum answered heartbeats")
        #expect(network[2].log.committed < network[2].log.lastIndex)
        #expect(!network[2].isLeaseValid, "its commit index may still lag the previous leader's")
        network.heal()
        network.tick(2)
        #expect(network[2].log.committed == network[2].log.lastIndex)
        #expect(network[2].isLeaseValid)
    }

    @Test func rejectedAppendsDoNotExtendTheLease() throws {
        var network = TestNetwork(voters: [1, 2, 3])
        network.elect(1)
        network.isolate(1)
        let duration = network[1].configuration.leaseDurationTicks
        network.tick(1, times: duration)
        #expect(network[1].role == .leader && !network[1].isLeaseValid)
        let now = network[1].tickCount
        let last = network[1].log.lastIndex
        for follower: NodeID in [2, 3] {
            network[1].step(Message(kind: .appendResponse, from: follower, to: 1, term: 1, index: last, reject: true,
                                    rejectHint: last, leaseTick: now))
        }
        #expect(!network[1].isLeaseValid, "a follower that rejects has not taken this leader's entries")
        network[1].step(Message(kind: .appendResponse, from: 2, to: 1, term: 1, index: last, leaseTick: now))
        #expect(network[1].isLeaseValid)
    }

    @Test func removedVoterOfTwoWhoseRemovalDidNotReplicateStillLetsTheOtherLead() throws {
        var network = TestNetwork(voters: [1, 2]) { $0.preVote = false }
        network.elect(1)
        network.cutLinks = [.init(from: 1, to: 2)]
        try network[1].proposeMembershipChange(.remove(1))
        network.stabilize()
        #expect(network[1].log.lastIndex > network[2].log.lastIndex, "only n1 holds its removal")
        network.tick(1, times: 2 * network[1].configuration.electionTimeoutTicks)
        #expect(network[1].role != .leader, "CheckQuorum: n2 no longer answers")
        network.heal()
        network.tickAll(times: 6 * network[1].configuration.electionTimeoutTicks)
        #expect(network[2].role == .leader, "n2 leads once n1's removal committed")
        #expect(network[2].tracker.membership == Membership(voters: [2]))
    }
}
