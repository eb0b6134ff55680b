import Testing

@testable import Consensus

@Suite struct ReplicationTests {
    /// A node restarted with the given log, at `term`, having voted for nobody.
    static func node(_ id: NodeID, terms: [UInt64], term: UInt64, voters: [NodeID] = [1, 2, 3]) throws -> RaftNode {
        let entries = terms.enumerated().map { Entry(term: $0.element, index: UInt64($0.offset + 1), data: [UInt8($0.offset)]) }
        return try RaftNode(
            configuration: RaftConfiguration(id: id, preVote: false),
            recovered: PersistentState(hardState: HardState(term: term), entries: entries),
            initialMembership: Membership(voters: voters))
    }

    @Test func proposalIsReplicatedCommittedAndAppliedEverywhere() throws {
        var network = TestNetwork(voters: [1, 2, 3])
        network.elect(1)
        try network.propose(1, [1])
        try network.propose(1, [2])
        for id in network.ids {
            #expect(network.appliedData(id) == [[1], [2]])
            #expect(network.disks[id]!.entries.count == 3)
        }
    }

    @Test func divergentFollowerIsRepairedBackingUpATermAtATime() throws {
        var network = TestNetwork(voters: [1, 2, 3]) { $0.preVote = false }
        // The leader-to-be holds terms 1,1,4,4,4,5,5; n2 holds a long uncommitted tail of term 2/3.
        network[1] = try Self.node(1, terms: [1, 1, 4, 4, 4, 5, 5], term: 5)
        network[2] = try Self.node(2, terms: [1, 1, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3], term: 5)
        network[3] = try Self.node(3, terms: [1, 1, 4, 4, 4, 5, 5], term: 5)
        network.expireLeaderContact()
        network.campaign(1)
        #expect(network[1].role == .leader && network[1].term == 6)
        let rejections = network.delivered.filter { $0.kind == .appendResponse && $0.from == 2 && $0.reject }
        #expect(rejections.count <= 2, "hints skip whole terms, not one index per round trip")
        #expect(network[2].log.lastIndex == 8)
        for index in UInt64(1)...8 { #expect(network[2].log.term(at: index) == network[1].log.term(at: index)) }
        #expect(network[2].log.committed == 8)
    }

    @Test func followerRejectsAnAppendThatDoesNotMatchItsLog() throws {
        var follower = try Self.node(2, terms: [1, 1, 2], term: 3)
        follower.step(Message(kind: .append, from: 1, to: 2, term: 3, logTerm: 3, index: 3, entries: [Entry(term: 3, index: 4)]))
        let response = try #require(follower.ready().messagesAfterPersist.first)
        #expect(response.reject && response.index == 3)
        #expect(response.rejectHint == 3 && response.logTerm == 2, "its last entry with term ≤ 3 is 3/2")
        #expect(follower.log.lastIndex == 3)
    }

    @Test func leaderCommitsOnlyEntriesOfItsOwnTermByCounting() throws {
        var log = RaftLog(snapshot: nil, entries: [Entry(term: 1, index: 1), Entry(term: 2, index: 2)], committed: 0)
        let oldTermCommitted = log.maybeCommit(index: 2, term: 3)
        #expect(!oldTermCommitted, "a term-2 entry on a majority is not committed by a term-3 leader (§5.4.2)")
        log.append([Entry(term: 3, index: 3)])
        let ownTermCommitted = log.maybeCommit(index: 3, term: 3)
        #expect(ownTermCommitted)
        #expect(log.committed == 3)
    }

    @Test func commitIndexNeverMovesBackwards() throws {
        var log = RaftLog(snapshot: nil, entries: [Entry(term: 1, index: 1), Entry(term: 1, index: 2)], committed: 2)
        log.commit(to: 1)
        #expect(log.committed == 2)
    }

    @Test func staleAppendBelowTheCommitIndexIsAnsweredWithTheCommitIndex() throws {
        var network = TestNetwork(voters: [1, 2, 3])
        network.elect(1)
        try network.propose(1, [1])
        let commit = network[2].log.committed
        network[2].step(Message(kind: .append, from: 1, to: 2, term: 1, logTerm: 0, index: 0, entries: [Entry(term: 1, index: 1)]))
        let response = try #require(network[2].ready().messagesAfterPersist.first)
        #expect(!response.reject && response.index == commit)
    }

    @Test func lostAppendIsRepairedByTheNextHeartbeat() throws {
        var network = TestNetwork(voters: [1, 2, 3])
        network.elect(1)
        network.cutLinks.insert(.init(from: 1, to: 3))
        try network.propose(1, [1])
        #expect(network[3].log.lastIndex == 1)
        network.heal()
        network.tickAll(times: 2)
        #expect(network[3].log.lastIndex == 2 && network.appliedData(3) == [[1]])
    }
}

@Suite struct FlowControlTests {
    @Test func inflightMessagesAreBoundedPerFollower() throws {
        var network = TestNetwork(voters: [1, 2]) { $0.inflightMessagesMaximum = 2 }
        network.elect(1)
        #expect(network[1].tracker.progress[2]?.state == .replicate)
        network.droppedKinds = [.appendResponse]
        network.clearDelivered()
        for value in UInt8(0)..<5 { try network[1].propose([value]) }
        network.stabilize()
        let appends = network.delivered.filter { $0.kind == .append && $0.to == 2 }
        #expect(appends.count == 2, "the third append waits for an acknowledgement")
        #expect(network[1].status.progress[2]?.inflightMessages == 2)
        network.heal()
        network.tickAll(times: 3)
        #expect(network[2].log.lastIndex == 6, "acknowledgements reopen the window")
    }

    @Test func inflightBytesAreBoundedPerFollower() throws {
        var network = TestNetwork(voters: [1, 2]) {
            $0.inflightBytesMaximum = 100
            $0.messageBytesMaximum = 64
        }
        network.elect(1)
        network.droppedKinds = [.appendResponse]
        network.clearDelivered()
        let data = [UInt8](repeating: 9, count: 40)  // 64 bytes with the entry overhead
        for _ in 0..<4 { try network[1].propose(data) }
        network.stabilize()
        let appends = network.delivered.filter { $0.kind == .append && $0.to == 2 }
        #expect(appends.count == 2 && appends.allSatisfy { $0.entries.count == 1 })
        #expect(network[1].status.progress[2]!.inflightBytes >= 100)
    }

    @Test func appendsAreSplitAtTheMessageByteLimit() throws {
        var network = TestNetwork(voters: [1, 2]) { $0.messageBytesMaximum = 100 }
        network.elect(1)
        network.isolate(2)
        for _ in 0..<6 { try network[1].propose([1, 2, 3, 4, 5, 6, 7, 8]) }
        network.stabilize()
        network.heal()
        network.clearDelivered()
        network.tickAll(times: 3)
        let appends = network.delivered.filter { $0.kind == .append && !$0.entries.isEmpty }
        #expect(!appends.isEmpty && appends.allSatisfy { $0.entries.reduce(0) { $0 + $1.sizeBytes } <= 100 })
        #expect(network[2].log.lastIndex == 7)
    }

    @Test func oversizedProposalIsRefused() throws {
        var network = TestNetwork(voters: [1]) { $0.messageBytesMaximum = 100 }
        network.elect(1)
        #expect(throws: ProposalError.tooLarge(bytes: 200 + Entry.overheadBytes, maximumBytes: 100)) {
            try network[1].propose([UInt8](repeating: 0, count: 200))
        }
    }

    @Test func inflightsFreeInOrderAndReportFullness() {
        var inflights = Inflights(capacityMessages: 3, capacityBytes: 1_000)
        inflights.add(index: 5, bytes: 10)
        inflights.add(index: 7, bytes: 10)
        inflights.add(index: 9, bytes: 10)
        #expect(inflights.isFull)
        inflights.free(through: 7)
        #expect(inflights.count == 1 && inflights.bytes == 10 && !inflights.isFull)
        inflights.add(index: 12, bytes: 995)
        #expect(inflights.isFull, "the byte bound")
        inflights.freeOldest()
        #expect(inflights.count == 1 && inflights.newestIndex == 12)
    }
}
