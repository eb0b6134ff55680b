import Testing

@testable import Consensus

@Suite struct SnapshotTests {
    @Test func compactionDropsTheLogThroughTheAppliedIndex() throws {
        var network = TestNetwork(voters: [1, 2, 3])
        network.elect(1)
        for value in UInt8(1)...5 { try network.propose(1, [value]) }
        network.compact(1, data: [0xAB])
        #expect(network[1].log.firstIndex == 7)
        #expect(network[1].log.snapshot?.metadata == SnapshotMetadata(index: 6, term: 1, membership: Membership(voters: [1, 2, 3])))
        #expect(network.disks[1]!.entries.isEmpty)
        try network.propose(1, [6])
        #expect(network.appliedData(2).last == [6])
    }

    @Test func laggingFollowerGetsTheSnapshotThenTheRest() throws {
        var network = TestNetwork(voters: [1, 2, 3])
        network.elect(1)
        network.isolate(3)
        for value in UInt8(1)...5 { try network.propose(1, [value]) }
        network.compact(1, data: [0xAB])
        try network.propose(1, [6])
        network.heal()
        network.clearDelivered()
        network.tickAll(times: 3)
        let snapshots = network.delivered.filter { $0.kind == .snapshot }
        #expect(snapshots.count == 1 && snapshots[0].to == 3 && snapshots[0].snapshot?.data == [0xAB])
        #expect(network.disks[3]!.snapshot?.metadata.index == 6)
        #expect(network.appliedData(3) == [[6]], "entries after the snapshot are applied on top of it")
        #expect(network[3].log.applied == 7 && network[1].tracker.progress[3]?.state == .replicate)
    }

    @Test func lostSnapshotIsResentAfterAnElectionTimeout() throws {
        var network = TestNetwork(voters: [1, 2, 3])
        network.elect(1)
        network.isolate(3)
        for value in UInt8(1)...3 { try network.propose(1, [value]) }
        network.compact(1)
        network.heal()
        network.droppedKinds = [.snapshot]
        network.tickAll(times: 3)
        #expect(network[1].tracker.progress[3]?.state == .snapshot)
        network.heal()
        network.tickAll(times: 12)
        #expect(network[3].log.committed == 4)
    }

    @Test func nodeRestartsFromItsSnapshotAndLaterEntries() throws {
        var network = TestNetwork(voters: [1, 2, 3])
        network.elect(1)
        for value in UInt8(1)...3 { try network.propose(1, [value]) }
        network.compact(2)
        try network.propose(1, [4])
        network.restart(2)
        #expect(network[2].log.firstIndex == 5 && network[2].log.lastIndex == 5)
        #expect(network[2].log.applied == 4)
        network.tickAll(times: 2)
        #expect(network.appliedData(2) == [[4]])
    }

    @Test func snapshotBehindTheCommitIndexIsIgnored() throws {
        var network = TestNetwork(voters: [1, 2, 3])
        network.elect(1)
        for value in UInt8(1)...3 { try network.propose(1, [value]) }
        let stale = Snapshot(metadata: SnapshotMetadata(index: 2, term: 1, membership: Membership(voters: [1, 2, 3])), data: [])
        network[2].step(Message(kind: .snapshot, from: 1, to: 2, term: 1, snapshot: stale))
        #expect(network[2].log.lastIndex == 4 && !network[2].log.hasPendingSnapshot)
        let response = try #require(network[2].ready().messagesAfterPersist.first)
        #expect(response.kind == .appendResponse && response.index == 4)
    }
}

@Suite struct TransferTests {
    @Test func transferHandsLeadershipToAnUpToDateVoter() throws {
        var network = TestNetwork(voters: [1, 2, 3])
        network.elect(1)
        try network[1].transferLeadership(to: 2)
        network.stabilize()
        #expect(network[2].role == .leader && network[2].term == 2)
        #expect(network[1].role == .follower && network[1].leader == 2)
    }

    @Test func transferCatchesTheTargetUpFirstAndRefusesProposalsMeanwhile() throws {
        var network = TestNetwork(voters: [1, 2, 3])
        network.elect(1)
        network.isolate(3)
        try network.propose(1, [1])
        try network[1].transferLeadership(to: 3)
        #expect(throws: ProposalError.leadershipTransferInProgress(to: 3)) { try network[1].propose([2]) }
        #expect(network[1].isLeaseValid, "no timeoutNow yet: the lease still stands")
        network.heal()
        network.tickAll(times: 2)
        #expect(network[3].role == .leader)
        #expect(network[3].log.lastIndex >= 3)
    }

    @Test func leaseIsSurrenderedOnceTimeoutNowIsSent() throws {
        var network = TestNetwork(voters: [1, 2, 3])
        network.elect(1)
        network.droppedKinds = [.timeoutNow]
        try network[1].transferLeadership(to: 2)
        network.stabilize()
        #expect(network[1].role == .leader && !network[1].isLeaseValid)
        #expect(network[1].leaseRemainingTicks == 0)
    }

    @Test func transferIsAbandonedAfterAnElectionTimeout() throws {
        var network = TestNetwork(voters: [1, 2, 3])
        network.elect(1)
        network.isolate(3)
        try network.propose(1, [1])
        try network[1].transferLeadership(to: 3)
        network.tickAll(times: 10)
        #expect(network[1].role == .leader && network[1].transfer == nil)
        try network.propose(1, [2])
    }

    @Test func transferWhoseTimeoutNowWasSentStepsDownWhenAbandoned() throws {
        var network = TestNetwork(voters: [1, 2, 3])
        network.elect(1)
        network.droppedKinds = [.timeoutNow]
        try network[1].transferLeadership(to: 2)
        network.stabilize()
        network.tickAll(times: 10)
        #expect(network[1].role == .follower, "the delayed timeoutNow may still elect n2: n1 must not lead on")
    }

    @Test func transferToANonVoterOrSelfIsRefused() throws {
        var network = TestNetwork(voters: [1, 2, 3], learners: [4])
        network.elect(1)
        #expect(throws: ProposalError.invalidTransferTarget(4)) { try network[1].transferLeadership(to: 4) }
        #expect(throws: ProposalError.invalidTransferTarget(1)) { try network[1].transferLeadership(to: 1) }
        #expect(throws: ProposalError.notLeader(leaderHint: 1)) { try network[2].transferLeadership(to: 3) }
    }
}
