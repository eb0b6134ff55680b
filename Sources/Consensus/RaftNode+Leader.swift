extension RaftNode {
    mutating func becomeLeader() {
        precondition(role == .candidate, "only a candidate that won becomes leader")
        reset(term: term)
        role = .leader
        leader = id
        tracker.resetProgress(lastIndex: log.lastIndex, selfMatch: log.persistedLastIndex)
        // An empty entry of our term: committing it commits everything before it (§5.4.2).
        appendAsLeader(kind: .normal, data: [])
        termStartIndex = log.lastIndex
        broadcastAppend()
        assert(log.lastTerm == term && termStartIndex > log.committed)
    }

    mutating func tickLeader() {
        heartbeatElapsedTicks += 1
        electionElapsedTicks += 1
        if electionElapsedTicks >= configuration.electionTimeoutTicks {
            electionElapsedTicks = 0
            if configuration.checkQuorum {
                guard tracker.isQuorumActive() else {
                    becomeFollower(term: term, leader: .none)  // CheckQuorum: no quorum heard from
                    return
                }
                tracker.resetRecentActive()
            }
        }
        tickTransfer()
        guard role == .leader else { return }
        retryStalledSnapshots()
        if heartbeatElapsedTicks >= configuration.heartbeatIntervalTicks {
            heartbeatElapsedTicks = 0
            broadcastHeartbeat()
        }
    }

    mutating func stepLeader(_ message: Message) {
        switch message.kind {
        case .appendResponse: handleAppendResponse(message)
        case .heartbeatResponse: handleHeartbeatResponse(message)
        case .readIndex: handleReadIndex(requester: message.from, context: message.context)
        default: break  // late votes and responses of earlier roles
        }
    }

    mutating func handleAppendResponse(_ message: Message) {
        let from = message.from
        guard tracker.progress[from] != nil, message.index <= log.lastIndex else { return }
        tracker.progress[from]?.recentActive = true
        if message.reject {
            handleAppendRejection(message)
            return
        }
        // Only accepted appends (and heartbeat answers) extend the lease. A rejection would be
        // sound too — the follower heard this leader and refuses votes — but the leader is then
        // still probing it, and its lease is unusable until its first entry commits anyway.
        tracker.recordLeaseAck(from: from, sentTick: message.leaseTick, nowTick: tickCount)
        guard var member = tracker.progress[from] else { return }
        let wasPaused = member.isPaused
        guard member.maybeUpdate(message.index) else { return }
        switch member.state {
        case .probe:
            member.becomeReplicate()
        case .snapshot where member.match + 1 >= log.firstIndex:
            member.becomeProbe()
            member.becomeReplicate()
        case .snapshot:
            break
        case .replicate:
            member.inflights.free(through: message.index)
        }
        tracker.progress[from] = member
        if maybeCommit() {
            if role == .leader { broadcastAppend() }
        } else if wasPaused {
            sendAppend(to: from)
        }
        guard role == .leader else { return }
        sendMoreAppends(to: from)
        if let transfer, transfer.target == from, !transfer.timeoutNowSent,
            tracker.progress[from]?.match == log.lastIndex
        {
            sendTimeoutNow(to: from)
        }
    }

    /// The follower's log diverges before `message.index`: back up, using its hint to skip a
    /// whole term at a time (etcd's fast backup).
    mutating func handleAppendRejection(_ message: Message) {
        guard message.rejectHint <= message.index, var member = tracker.progress[message.from] else { return }
        var nextProbeIndex = message.rejectHint
        if message.logTerm > 0 {
            nextProbeIndex = log.findConflictByTerm(index: message.rejectHint, term: message.logTerm).index
        }
        guard member.maybeDecrementTo(rejected: message.index, matchHint: nextProbeIndex) else { return }
        if member.state == .replicate { member.becomeProbe() }
        tracker.progress[message.from] = member
        sendAppend(to: message.from)
    }

    mutating func handleHeartbeatResponse(_ message: Message) {
        let from = message.from
        guard var member = tracker.progress[from] else { return }
        member.recentActive = true
        member.probeSent = false
        if member.state == .replicate && member.inflights.isFull { member.inflights.freeOldest() }
        tracker.progress[from] = member
        tracker.recordLeaseAck(from: from, sentTick: message.leaseTick, nowTick: tickCount)
        if member.match < log.lastIndex || member.state == .probe { sendAppend(to: from) }
        if let sequence = readOnly.recordAck(from: from, context: message.context) {
            releaseConfirmedReads(through: sequence)
        }
    }

    /// Moves the commit index to what a majority of voters hold, if that entry is of our term.
    mutating func maybeCommit() -> Bool {
        let before = log.committed
        guard log.maybeCommit(index: tracker.committedIndex(), term: term) else { return false }
        leaderDidCommit(from: before)
        return true
    }

    private mutating func leaderDidCommit(from before: UInt64) {
        precondition(log.committed > before, "commit index never decreases")
        for index in (before + 1)...log.committed where index >= log.firstIndex {
            uncommittedBytes = max(0, uncommittedBytes - log.entry(at: index).sizeBytes)
        }
        if before < termStartIndex && log.committed >= termStartIndex {
            for read in readOnly.takeDeferred() {
                handleReadIndex(requester: read.requester, context: read.context)
            }
        }
        // A leader that removed itself steps down once its removal is committed (§4.2.2).
        if !tracker.membership.isVoter(id) && log.committed >= memberships.currentIndex {
            becomeFollower(term: term, leader: .none)
        }
    }

    /// The caller persisted our own entries: they count towards the commit quorum now.
    mutating func leaderDidPersist() {
        precondition(role == .leader)
        guard tracker.progress[id]?.maybeUpdate(log.persistedLastIndex) == true else { return }
        if maybeCommit() && role == .leader { broadcastAppend() }
    }

    /// Counts a transfer down; after an election timeout it is abandoned. A leader that already
    /// sent `timeoutNow` steps down instead: its lease is void and the target may still win.
    mutating func tickTransfer() {
        guard var current = transfer else { return }
        current.elapsedTicks += 1
        transfer = current
        if current.elapsedTicks >= configuration.electionTimeoutTicks { abortTransfer() }
    }

    mutating func abortTransfer() {
        guard let current = transfer else { return }
        if current.timeoutNowSent {
            becomeFollower(term: term, leader: .none)
        } else {
            transfer = nil
        }
    }

    mutating func sendTimeoutNow(to target: NodeID) {
        precondition(transfer?.target == target)
        transfer?.timeoutNowSent = true
        leaseSurrendered = true
        send(Message(kind: .timeoutNow, from: id, to: target, term: term))
    }

    /// A snapshot that got no answer within an election timeout was probably lost: probe again.
    private mutating func retryStalledSnapshots() {
        for peer in tracker.peers {
            guard let member = tracker.progress[peer], member.state == .snapshot,
                tickCount - member.snapshotSentTick >= UInt64(configuration.electionTimeoutTicks)
            else { continue }
            tracker.progress[peer]?.becomeProbe()
        }
    }
}
