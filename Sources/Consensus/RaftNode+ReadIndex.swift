extension RaftNode {
    /// Serves a read point for `requester` (this node or a follower that forwarded the request).
    /// With a valid lease, or as the only voter, the commit index is safe at once; otherwise the
    /// request waits for a quorum to answer a heartbeat sent after it arrived (§6.4).
    mutating func handleReadIndex(requester: NodeID, context: [UInt8]) {
        guard role == .leader, !readOnly.isFull else { return }
        guard log.committed >= termStartIndex else {
            // Until an entry of our term commits, our commit index may lag the true one.
            readOnly.deferUntilCommit(requester: requester, context: context)
            return
        }
        if tracker.voters == [id] || isLeaseValid {
            answerRead(requester: requester, index: log.committed, context: context)
            return
        }
        readOnly.add(index: log.committed, requester: requester, context: context)
        broadcastHeartbeat()
    }

    mutating func releaseConfirmedReads(through sequence: UInt64) {
        let acks = readOnly.acks(of: sequence)
        guard Quorum.hasMajority(voters: tracker.voters, { $0 == id || acks.contains($0) }) else { return }
        for request in readOnly.release(through: sequence) {
            answerRead(requester: request.requester, index: request.index, context: request.context)
        }
    }

    private mutating func answerRead(requester: NodeID, index: UInt64, context: [UInt8]) {
        precondition(role == .leader && index >= termStartIndex)
        if requester == id {
            appendReadState(ReadState(index: index, context: context))
        } else {
            send(Message(kind: .readIndexResponse, from: id, to: requester, term: term, index: index, context: context))
        }
    }
}
