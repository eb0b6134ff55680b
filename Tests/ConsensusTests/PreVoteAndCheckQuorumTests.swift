import Testing

@testable import Consensus

@Suite struct PreVoteAndCheckQuorumTests {
    @Test func partitionedNodeWithPreVoteDoesNotInflateItsTerm() throws {
        var network = TestNetwork(voters: [1, 2, 3])
        network.elect(1)
        network.isolate(3)
        network.tick(3, times: 100)
        #expect(network[3].term == 1, "pre-votes that fail never raise the term")
        network.heal()
        network.tickAll(times: 5)
        #expect(network[1].role == .leader && network[1].term == 1, "the rejoining node does not disrupt the leader")
        #expect(network[3].leader == 1)
    }

    @Test func partitionedNodeWithoutPreVoteInflatesItsTerm() {
        var network = TestNetwork(voters: [1, 2, 3]) { $0.preVote = false }
        network.elect(1)
        network.isolate(3)
        network.tick(3, times: 100)
        #expect(network[3].term > 3)
    }

    @Test func preVoteIsGrantedOnlyToUpToDateCandidatesAndMovesNoTerm() throws {
        var voter = try RaftNode(
            configuration: RaftConfiguration(id: 2),
            recovered: PersistentState(hardState: HardState(term: 2), entries: [Entry(term: 2, index: 1)]),
            initialMembership: Membership(voters: [1, 2, 3]))
        voter.ticksSinceLeaderContact = 10
        voter.step(Message(kind: .preVote, from: 1, to: 2, term: 3, logTerm: 1, index: 5))
        voter.step(Message(kind: .preVote, from: 3, to: 2, term: 3, logTerm: 2, index: 1))
        let responses = voter.ready().messagesAfterPersist
        #expect(responses.map(\.reject) == [true, false])
        #expect(voter.term == 2 && voter.vote == .none)
    }

    @Test func leaderStepsDownWhenQuorumIsSilent() {
        var network = TestNetwork(voters: [1, 2, 3])
        network.elect(1)
        network.isolate(1)
        network.tick(1, times: 10)
        #expect(network[1].role == .leader, "the followers answered within the first window")
        network.tick(1, times: 10)
        #expect(network[1].role == .follower, "CheckQuorum: nobody answered for a whole election timeout")
    }

    @Test func leaderThatHearsFromAQuorumStaysLeader() {
        var network = TestNetwork(voters: [1, 2, 3])
        network.elect(1)
        network.isolate(3)
        network.tickAll(times: 50)
        #expect(network[1].role == .leader && network[1].term == 1)
    }

    @Test func followerThatHeardFromTheLeaderIgnoresVotes() {
        var network = TestNetwork(voters: [1, 2, 3]) { $0.preVote = false }
        network.elect(1)
        network.tick(1)
        network[2].step(Message(kind: .vote, from: 3, to: 2, term: 5, logTerm: 9, index: 9))
        #expect(network[2].term == 1 && network[2].vote == 1, "leader stickiness: the vote is ignored")
        let ready = network[2].ready()
        #expect(ready.messages.isEmpty && ready.messagesAfterPersist.isEmpty)
    }

    @Test func followerGrantsVotesAgainOnceTheLeaderIsSilentForAnElectionTimeout() {
        var network = TestNetwork(voters: [1, 2, 3]) { $0.preVote = false }
        network.elect(1)
        network.isolate(1)
        for _ in 0..<10 { network[2].tick() }
        network[2].step(Message(kind: .vote, from: 3, to: 2, term: 2, logTerm: 1, index: 9))
        #expect(network[2].term == 2 && network[2].vote == 3)
    }

    @Test func restartedNodeRefusesVotesForAnElectionTimeout() {
        var network = TestNetwork(voters: [1, 2, 3]) { $0.preVote = false }
        network.elect(1)
        network.restart(2)
        network[2].step(Message(kind: .vote, from: 3, to: 2, term: 2, logTerm: 1, index: 9))
        #expect(network[2].term == 1, "it may have acknowledged a lease just before it crashed")
        for _ in 0..<10 { network[2].tick() }
        network[2].step(Message(kind: .vote, from: 3, to: 2, term: 2, logTerm: 1, index: 9))
        #expect(network[2].term == 2 && network[2].vote == 3)
    }

    @Test func staleLeaderLearnsTheNewTermFromAnAppendResponse() {
        var network = TestNetwork(voters: [1, 2, 3])
        network.elect(1)
        network.isolate(1)
        network.expireLeaderContact()
        network.campaign(2)
        #expect(network[2].role == .leader && network[2].term == 2)
        network.heal()
        network.tick(1)
        #expect(network[1].role == .follower && network[1].term == 2)
    }
}
