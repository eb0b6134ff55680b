import Testing

@testable import Consensus

@Suite struct ElectionTests {
    @Test func randomizedElectionTimeoutStaysWithinOneToTwoElectionTimeouts() throws {
        for seed in UInt64(0)..<200 {
            var node = try RaftNode(
                configuration: RaftConfiguration(id: 1, electionTimeoutTicks: 10, randomSeed: seed),
                initialMembership: Membership(voters: [1, 2, 3]))
            for _ in 0..<5 {
                node.resetRandomizedElectionTimeout()
                #expect((10..<20).contains(node.randomizedElectionTimeoutTicks))
            }
        }
    }

    @Test func followerCampaignsOnlyAfterItsRandomizedTimeout() throws {
        var node = try RaftNode(
            configuration: RaftConfiguration(id: 1, electionTimeoutTicks: 10, preVote: false, randomSeed: 3),
            initialMembership: Membership(voters: [1, 2, 3]))
        let timeout = node.randomizedElectionTimeoutTicks
        for _ in 0..<(timeout - 1) { node.tick() }
        #expect(node.role == .follower && node.term == 0)
        node.tick()
        #expect(node.role == .candidate && node.term == 1 && node.vote == 1)
    }

    @Test func threeNodesElectExactlyOneLeaderByTicking() {
        var network = TestNetwork(voters: [1, 2, 3])
        network.tickAll(times: 25)
        #expect(network.leaders.count == 1)
        let leader = network.leaders[0]
        for id in network.ids { #expect(network[id].leader == leader) }
    }

    @Test func voteIsPersistedInTheSameReadyAsTheResponse() throws {
        var voter = try RaftNode(
            configuration: RaftConfiguration(id: 2, preVote: false), initialMembership: Membership(voters: [1, 2, 3]))
        voter.ticksSinceLeaderContact = 10
        voter.step(Message(kind: .vote, from: 1, to: 2, term: 1))
        let ready = voter.ready()
        #expect(ready.hardState == HardState(term: 1, vote: 1, commit: 0))
        #expect(ready.messagesAfterPersist.map(\.kind) == [.voteResponse])
        #expect(ready.messagesAfterPersist.first?.reject == false)
    }

    @Test func candidateWithAStaleLogLosesTheElection() {
        var network = TestNetwork(voters: [1, 2, 3]) { $0.preVote = false }
        network.elect(1)
        try? network.propose(1, [1])
        network.isolate(3)
        try? network.propose(1, [2])
        network.heal()
        network.isolate(1)
        network.expireLeaderContact()
        network.campaign(3)
        #expect(network[3].role != .leader, "n3 lacks entry 3 and must not win")
        network.campaign(2)
        #expect(network[2].role == .leader)
    }

    @Test func singleVoterElectsItselfAndCommitsAfterPersisting() throws {
        var network = TestNetwork(voters: [1])
        network.elect(1)
        try network.propose(1, [42])
        #expect(network.appliedData(1) == [[42]])
        #expect(network[1].log.committed == 2)
    }

    @Test func restartedNodeKeepsItsTermVoteAndLog() throws {
        var network = TestNetwork(voters: [1, 2, 3])
        network.elect(1)
        try network.propose(1, [7])
        network.restart(2)
        #expect(network[2].term == 1 && network[2].vote == 1)
        #expect(network[2].log.lastIndex == 2)
        #expect(network[2].role == .follower)
    }

    @Test func inconsistentDurableStateIsRefusedAtStart() {
        let gap = PersistentState(
            hardState: HardState(term: 2, vote: 0, commit: 0),
            entries: [Entry(term: 1, index: 1), Entry(term: 1, index: 3)])
        #expect(throws: StartupError.self) {
            _ = try RaftNode(configuration: RaftConfiguration(id: 1), recovered: gap, initialMembership: Membership(voters: [1]))
        }
        let commitBeyondLog = PersistentState(hardState: HardState(term: 1, vote: 0, commit: 5), entries: [Entry(term: 1, index: 1)])
        #expect(throws: StartupError.self) {
            _ = try RaftNode(configuration: RaftConfiguration(id: 1), recovered: commitBeyondLog,
                             initialMembership: Membership(voters: [1]))
        }
    }

    @Test func configurationsWithoutRoomForALeaseAreRefused() {
        #expect(throws: StartupError.self) {
            _ = try RaftNode(configuration: RaftConfiguration(id: 1, electionTimeoutTicks: 2), initialMembership: Membership(voters: [1]))
        }
        #expect(throws: StartupError.self) {
            _ = try RaftNode(
                configuration: RaftConfiguration(id: 1, electionTimeoutTicks: 4, heartbeatIntervalTicks: 2, clockDriftBoundPercent: 20),
                initialMembership: Membership(voters: [1]))
        }
    }
}
