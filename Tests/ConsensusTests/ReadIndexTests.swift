import Testing

@testable import Consensus

@Suite struct ReadIndexTests {
    @Test func leaderWithAValidLeaseAnswersAtOnce() throws {
        var network = TestNetwork(voters: [1, 2, 3])
        network.elect(1)
        try network.propose(1, [1])
        network.isolate(1)
        try network[1].requestRead(context: [7])
        network.stabilize()
        #expect(network.readStates[1] == [ReadState(index: 2, context: [7])])
    }

    @Test func withoutALeaseTheReadWaitsForAHeartbeatQuorum() throws {
        var network = TestNetwork(voters: [1, 2, 3])
        network.elect(1)
        network.isolate(1)
        network.tick(1, times: 7)
        #expect(network[1].role == .leader && !network[1].isLeaseValid)
        try network[1].requestRead(context: [8])
        network.stabilize()
        #expect(network.readStates[1, default: []].isEmpty, "no quorum has confirmed the leader since the request")
        network.heal()
        network.tick(1)
        #expect(network.readStates[1] == [ReadState(index: 1, context: [8])])
    }

    @Test func heartbeatAcknowledgementsReleaseEveryEarlierRead() throws {
        var network = TestNetwork(voters: [1, 2, 3])
        network.elect(1)
        network.isolate(1)
        network.tick(1, times: 7)
        try network[1].requestRead(context: [1])
        try network[1].requestRead(context: [2])
        network.stabilize()
        #expect(network[1].readOnly.pending.count == 2)
        network.heal()
        network.tick(1)
        #expect(network.readStates[1]?.map(\.context) == [[1], [2]])
        #expect(network[1].readOnly.pending.isEmpty)
    }

    @Test func followerReadIsForwardedToTheLeader() throws {
        var network = TestNetwork(voters: [1, 2, 3])
        network.elect(1)
        try network.propose(1, [1])
        try network[3].requestRead(context: [3])
        network.stabilize()
        #expect(network.readStates[3] == [ReadState(index: 2, context: [3])])
    }

    @Test func newLeaderDefersReadsUntilItCommitsAnEntryOfItsTerm() throws {
        var network = TestNetwork(voters: [1, 2, 3])
        network.expireLeaderContact()
        network.droppedKinds = [.appendResponse]
        network.campaign(1)
        try network[1].requestRead(context: [4])
        network.stabilize()
        #expect(network.readStates[1, default: []].isEmpty)
        network.heal()
        network.tickAll(times: 2)
        #expect(network.readStates[1] == [ReadState(index: 1, context: [4])])
    }

    @Test func readWithoutAKnownLeaderIsRefused() throws {
        var network = TestNetwork(voters: [1, 2, 3])
        #expect(throws: ProposalError.notLeader(leaderHint: nil)) { try network[1].requestRead(context: []) }
    }
}

@Suite struct LeaseTests {
    @Test(arguments: [
        (10, 10, 7), (10, 0, 9), (5, 20, 2), (3, 0, 2), (100, 10, 81), (12, 5, 9),
    ])
    func leaseLastsTheFollowersRefusalWindowShrunkByTheDriftBound(timeout: Int, drift: Int, expected: Int) {
        #expect(Lease.durationTicks(electionTimeoutTicks: timeout, clockDriftBoundPercent: drift) == expected)
    }

    @Test func leaseLapseStopsTheLeaderAtOnceBeforeCheckQuorum() throws {
        var network = TestNetwork(voters: [1, 2, 3])
        network.elect(1)
        #expect(network[1].leaseRemainingTicks == 7)
        network.isolate(1)
        network.tick(1, times: 6)
        #expect(network[1].leaseRemainingTicks == 1)
        try network[1].propose([1])
        network.tick(1)
        #expect(network[1].role == .leader, "CheckQuorum has not stepped it down yet")
        #expect(!network[1].isLeaseValid && network[1].status.leaseRemainingTicks == 0)
        #expect(throws: ProposalError.leaseExpired) { try network[1].propose([2]) }
        #expect(throws: ProposalError.leaseExpired) { try network[1].proposeMembershipChange(.remove(3)) }
    }

    @Test func leaseStartsAtTheQuorumAcknowledgedSendTick() throws {
        var network = TestNetwork(voters: [1, 2, 3, 4, 5])
        network.elect(1)
        network.isolate(4)
        network.isolate(5)
        network.tick(1, times: 3)
        #expect(network[1].leaseRemainingTicks == 7, "n2 and n3 answered the heartbeat sent at tick 3")
        network.isolate(3)
        network.tick(1, times: 2)
        // Acknowledged stamps: n1 5 (itself), n2 5, n3 3, n4 0, n5 0 → the third largest is 3.
        #expect(network[1].leaseRemainingTicks == 3 + 7 - 5)
    }

    @Test func newLeaderHasNoLeaseUntilAQuorumAnswers() throws {
        var network = TestNetwork(voters: [1, 2, 3])
        network.expireLeaderContact()
        network.droppedKinds = [.appendResponse, .heartbeatResponse]
        network.campaign(1)
        #expect(network[1].role == .leader && !network[1].isLeaseValid)
        #expect(throws: ProposalError.leaseExpired) { try network[1].propose([1]) }
    }

    @Test func ackOfAFutureTickIsIgnored() throws {
        var network = TestNetwork(voters: [1, 2, 3])
        network.elect(1)
        network.isolate(1)
        network.tick(1, times: 7)
        network[1].step(Message(kind: .heartbeatResponse, from: 2, to: 1, term: 1, leaseTick: 1_000))
        #expect(!network[1].isLeaseValid)
    }

    @Test func singleVoterAlwaysHoldsItsLease() throws {
        var network = TestNetwork(voters: [1])
        network.elect(1)
        network.tick(1, times: 50)
        #expect(network[1].isLeaseValid && network[1].leaseRemainingTicks == 7)
    }
}

@Suite struct QuorumTests {
    @Test func majorityValueIsTheQuorumThLargest() {
        let values: [NodeID: UInt64] = [1: 9, 2: 4, 3: 7, 4: 1, 5: 4]
        #expect(Quorum.majorityValue(voters: [1, 2, 3, 4, 5]) { values[$0] } == 4)
        #expect(Quorum.majorityValue(voters: [1, 2, 3]) { values[$0] } == 7)
        #expect(Quorum.majorityValue(voters: [1, 2, 3]) { $0 == 1 ? 5 : nil } == nil)
        #expect(Quorum.majorityValue(voters: []) { _ in 1 } == nil)
    }

    @Test func voteResultIsDecidedAsSoonAsItCannotChange() {
        #expect(Quorum.voteResult(voters: [1, 2, 3]) { [1: true, 2: true][$0] } == .won)
        #expect(Quorum.voteResult(voters: [1, 2, 3]) { [1: true, 2: false][$0] } == .pending)
        #expect(Quorum.voteResult(voters: [1, 2, 3]) { [1: true, 2: false, 3: false][$0] } == .lost)
        #expect(Quorum.voteResult(voters: [1, 2, 3, 4]) { [1: true, 2: true][$0] } == .pending)
    }

    @Test func learnerVotesAreNotCounted() {
        var tracker = ProgressTracker(
            selfID: 1, membership: Membership(voters: [1, 2, 3], learners: [4, 5]),
            inflightMessagesMaximum: 4, inflightBytesMaximum: 100)
        tracker.recordVote(from: 1, granted: true)
        tracker.recordVote(from: 4, granted: true)
        tracker.recordVote(from: 5, granted: true)
        #expect(tracker.voteResult() == .pending)
        tracker.recordVote(from: 2, granted: true)
        #expect(tracker.voteResult() == .won)
    }
}
