extension RaftNode {
    /// Appends `data` to the log if this node may act as leader. The entry is committed once a
    /// quorum holds it; it then comes back in `Ready.committedEntries`.
    public mutating func propose(_ data: [UInt8]) throws(ProposalError) {
        try requireActingLeader()
        let bytes = data.count + Entry.overheadBytes
        guard bytes <= configuration.messageBytesMaximum else {
            throw .tooLarge(bytes: bytes, maximumBytes: configuration.messageBytesMaximum)
        }
        guard uncommittedBytes + bytes <= configuration.uncommittedBytesMaximum else {
            throw .uncommittedLimitReached(maximumBytes: configuration.uncommittedBytesMaximum)
        }
        appendAsLeader(kind: .normal, data: data)
        broadcastAppend()
    }

    /// Proposes one single-server change. It takes effect when appended; the next one is
    /// accepted only after it (and this leader's first entry) committed. `context` travels with
    /// the change in the same entry (see `ConfigChangeRecord`).
    public mutating func proposeMembershipChange(
        _ change: MembershipChange, context: [UInt8] = []
    ) throws(ProposalError) {
        try requireActingLeader()
        guard log.committed >= termStartIndex, log.committed >= memberships.currentIndex else {
            throw .configChangeInProgress
        }
        let next: Membership
        do {
            next = try tracker.membership.applying(change)
        } catch {
            throw .invalidMembershipChange(error)
        }
        guard context.count <= ConfigChangeRecord.contextBytesMaximum else {
            throw .tooLarge(bytes: context.count, maximumBytes: ConfigChangeRecord.contextBytesMaximum)
        }
        appendAsLeader(
            kind: .configChange, data: ConfigChangeRecord(change: change, membership: next, context: context).encoded())
        assert(tracker.membership == next && memberships.currentIndex == log.lastIndex)
        if maybeCommit() && role != .leader { return }  // fewer voters may already form a quorum
        broadcastAppend()
    }

    /// Hands leadership to another voter: catch it up, then tell it to campaign at once.
    /// Proposals are refused meanwhile; after an election timeout the transfer is abandoned.
    public mutating func transferLeadership(to target: NodeID) throws(ProposalError) {
        guard role == .leader else { throw .notLeader(leaderHint: leader == .none ? nil : leader) }
        if let transfer {
            if transfer.target == target { return }
            throw .leadershipTransferInProgress(to: transfer.target)
        }
        guard target != id, tracker.membership.isVoter(target), tracker.progress[target] != nil else {
            throw .invalidTransferTarget(target)
        }
        transfer = LeadershipTransfer(target: target)
        if tracker.progress[target]?.match == log.lastIndex {
            sendTimeoutNow(to: target)
        } else {
            sendAppend(to: target)
        }
    }

    /// Asks for a linearizable read point; the answer arrives as a `ReadState` carrying
    /// `context`. A follower forwards the request to its leader. Requests are not retried: the
    /// caller times out and asks again if the answer never comes (e.g. the leader changed).
    public mutating func requestRead(context: [UInt8]) throws(ProposalError) {
        guard context.count <= ReadOnly.contextBytesMaximum else {
            throw .tooLarge(bytes: context.count, maximumBytes: ReadOnly.contextBytesMaximum)
        }
        guard role == .leader else {
            guard leader != .none else { throw .notLeader(leaderHint: nil) }
            send(Message(kind: .readIndex, from: id, to: leader, term: term, context: context))
            return
        }
        guard !readOnly.isFull else { throw .readQueueFull(maximum: ReadOnly.pendingMaximum) }
        handleReadIndex(requester: id, context: context)
    }

    private func requireActingLeader() throws(ProposalError) {
        guard role == .leader else { throw .notLeader(leaderHint: leader == .none ? nil : leader) }
        if let transfer { throw .leadershipTransferInProgress(to: transfer.target) }
        guard isLeaseValid else { throw .leaseExpired }
    }
}
