import Testing

@testable import Consensus
import Primitives

@Suite struct MembershipTests {
    @Test func learnerReceivesEntriesButNeverCountsForTheQuorum() throws {
        var network = TestNetwork(voters: [1, 2, 3], learners: [4])
        network.elect(1)
        network.isolate(2)
        network.cutLinks.formUnion([.init(from: 1, to: 3), .init(from: 3, to: 1)])
        let commit = network[1].log.committed
        try network[1].propose([1])
        network.stabilize()
        #expect(network[4].log.lastIndex == commit + 1, "the learner holds the entry")
        #expect(network[1].log.committed == commit, "leader + learner is no quorum of 3 voters")
    }

    @Test func learnerNeverCampaigns() throws {
        var network = TestNetwork(voters: [1, 2, 3], learners: [4])
        network.expireLeaderContact()
        network.tick(4, times: 100)
        #expect(network[4].term == 0 && network[4].role == .follower)
    }

    @Test func addLearnerThenPromoteThenRemove() throws {
        var network = TestNetwork(voters: [1, 2, 3], others: [4])
        network.elect(1)
        try network[1].proposeMembershipChange(.addLearner(4))
        #expect(network[1].tracker.membership == Membership(voters: [1, 2, 3], learners: [4]), "in effect when appended")
        network.stabilize()
        #expect(network[4].tracker.membership == Membership(voters: [1, 2, 3], learners: [4]))
        try network[1].proposeMembershipChange(.promoteLearner(4))
        network.stabilize()
        try network[1].proposeMembershipChange(.remove(3))
        network.stabilize()
        for id: NodeID in [1, 2, 4] { #expect(network[id].tracker.membership == Membership(voters: [1, 2, 4])) }
        try network.propose(1, [9])
        #expect(network.appliedData(4).last == [9])
    }

    @Test func secondChangeWaitsForTheFirstToCommit() throws {
        var network = TestNetwork(voters: [1, 2, 3], others: [4, 5])
        network.elect(1)
        network.isolate(2)
        network.isolate(3)
        try network[1].proposeMembershipChange(.addLearner(4))
        #expect(throws: ProposalError.configChangeInProgress) { try network[1].proposeMembershipChange(.addLearner(5)) }
        network.heal()
        network.tickAll(times: 2)
        try network[1].proposeMembershipChange(.addLearner(5))
    }

    @Test func invalidChangesAreRefusedWithAReason() throws {
        var network = TestNetwork(voters: [1, 2, 3])
        network.elect(1)
        #expect(throws: ProposalError.invalidMembershipChange(.alreadyMember(2))) { try network[1].proposeMembershipChange(.addLearner(2)) }
        #expect(throws: ProposalError.invalidMembershipChange(.notALearner(2))) {
            try network[1].proposeMembershipChange(.promoteLearner(2))
        }
        #expect(throws: ProposalError.invalidMembershipChange(.notAMember(9))) { try network[1].proposeMembershipChange(.remove(9)) }
        #expect(throws: MembershipError.wouldRemoveLastVoter) { _ = try Membership(voters: [1]).applying(.remove(1)) }
    }

    @Test func removedLeaderStepsDownOnceItsRemovalCommits() throws {
        var network = TestNetwork(voters: [1, 2, 3])
        network.elect(1)
        try network[1].proposeMembershipChange(.remove(1))
        #expect(network[1].role == .leader, "still manages the cluster until the removal commits")
        network.stabilize()
        #expect(network[1].role == .follower)
        network.tickAll(times: 30)
        #expect(network.leaders.count == 1 && network.leaders[0] != 1)
        #expect(network[1].term == 1, "a removed node does not campaign")
    }

    @Test func truncatedConfigEntryRevertsTheMembership() throws {
        var follower = try RaftNode(configuration: RaftConfiguration(id: 2), initialMembership: Membership(voters: [1, 2, 3]))
        let added = ConfigChangeRecord(change: .addLearner(4), membership: Membership(voters: [1, 2, 3], learners: [4]))
        follower.step(Message(kind: .append, from: 1, to: 2, term: 1,
                              entries: [Entry(term: 1, index: 1, kind: .configChange, data: added.encoded())]))
        #expect(follower.tracker.membership.isLearner(4))
        follower.step(Message(kind: .append, from: 3, to: 2, term: 2, entries: [Entry(term: 2, index: 1)]))
        #expect(follower.tracker.membership == Membership(voters: [1, 2, 3]))
    }

    @Test func configChangeRecordsRoundTripAndRejectGarbage() {
        let record = ConfigChangeRecord(change: .promoteLearner(7), membership: Membership(voters: [1, 2, 7], learners: [9]))
        #expect(ConfigChangeRecord.decode(record.encoded()) == record)
        var random = SplitMix64(seed: 11)
        for length in 0..<200 {
            let bytes = (0..<length).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            _ = ConfigChangeRecord.decode(bytes)
        }
        #expect(ConfigChangeRecord.decode(Array(record.encoded().dropLast())) == nil)
        #expect(ConfigChangeRecord.decode(record.encoded() + [0]) == nil)
    }

    @Test func configChangeContextTravelsWithTheEntryAndIsBounded() throws {
        let context: [UInt8] = Array("c4=10.0.0.4:7000".utf8)
        let record = ConfigChangeRecord(change: .addLearner(4), membership: Membership(voters: [1, 2, 3], learners: [4]), context: context)
        #expect(ConfigChangeRecord.decode(record.encoded()) == record)
        var oversized = ConfigChangeRecord(change: .addLearner(4), membership: Membership(voters: [1], learners: [4])).encoded()
        oversized.removeLast(2)
        oversized += [UInt8((ConfigChangeRecord.contextBytesMaximum + 1) >> 8), UInt8((ConfigChangeRecord.contextBytesMaximum + 1) & 0xFF)]
        oversized += [UInt8](repeating: 0, count: ConfigChangeRecord.contextBytesMaximum + 1)
        #expect(ConfigChangeRecord.decode(oversized) == nil)

        var network = TestNetwork(voters: [1, 2, 3], others: [4])
        network.elect(1)
        try network[1].proposeMembershipChange(.addLearner(4), context: context)
        network.stabilize()
        let entry = try #require(network[4].log.entries(from: 1, bytesMaximum: .max)?.last { $0.kind == .configChange })
        #expect(ConfigChangeRecord.decode(entry.data)?.context == context)
        #expect(throws: ProposalError.tooLarge(bytes: 1_025, maximumBytes: 1_024)) {
            try network[1].proposeMembershipChange(.remove(3), context: [UInt8](repeating: 1, count: 1_025))
        }
    }
}
