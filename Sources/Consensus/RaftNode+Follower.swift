extension RaftNode {
    mutating func becomeFollower(term newTerm: UInt64, leader newLeader: NodeID) {
        reset(term: newTerm)
        role = .follower
        leader = newLeader
    }

    mutating func stepFollower(_ message: Message) {
        switch message.kind {
        case .append:
            hearFromLeader(message.from)
            handleAppend(message)
        case .heartbeat:
            hearFromLeader(message.from)
            handleHeartbeat(message)
        case .snapshot:
            hearFromLeader(message.from)
            handleSnapshot(message)
        case .timeoutNow:
            // The leader hands over: campaign at once, skipping PreVote and the voters' lease.
            if isPromotable { campaign(.transfer) }
        case .readIndexResponse:
            appendReadState(ReadState(index: message.index, context: message.context))
        default:
            break  // stale responses and requests only a leader answers
        }
    }

    /// The leader of our term reached us: restart both the election timer and the lease window.
    mutating func hearFromLeader(_ id: NodeID) {
        precondition(role == .follower)
        leader = id
        electionElapsedTicks = 0
        ticksSinceLeaderContact = 0
    }

    mutating func handleAppend(_ message: Message) {
        var response = Message(
            kind: .appendResponse, from: id, to: message.from, term: term, leaseTick: message.leaseTick)
        guard RaftNode.entriesAreWellFormed(message) else { return }
        if message.index < log.committed {
            response.index = log.committed
            send(response)
            return
        }
        let outcome = log.maybeAppend(
            previousIndex: message.index, previousTerm: message.logTerm,
            leaderCommit: message.commit, entries: message.entries)
        switch outcome {
        case .appended(let lastNewIndex, let firstWrittenIndex):
            if let firstWrittenIndex { recordMemberships(written: message.entries, from: firstWrittenIndex) }
            response.index = lastNewIndex
        case .mismatch:
            let hint = log.findConflictByTerm(index: min(message.index, log.lastIndex), term: message.logTerm)
            response.reject = true
            response.index = message.index
            response.rejectHint = hint.index
            response.logTerm = hint.term
        case .conflictsWithCommitted:
            return  // a broken peer: never let it rewrite what we committed
        }
        send(response)
    }

    /// Entries must follow `index` contiguously, with terms that never decrease and never exceed
    /// the sender's.
    static func entriesAreWellFormed(_ message: Message) -> Bool {
        guard message.index < UInt64.max - UInt64(message.entries.count) else { return false }
        var previousTerm = message.logTerm
        for (offset, entry) in message.entries.enumerated() {
            guard entry.index == message.index + 1 + UInt64(offset),
                entry.term >= previousTerm, entry.term <= message.term
            else { return false }
            previousTerm = entry.term
        }
        return true
    }

    /// The log was rewritten from `first` on: membership follows the newest config entry in it.
    mutating func recordMemberships(written entries: [Entry], from first: UInt64) {
        let recordsBefore = memberships.records.count
        memberships.truncated(after: first - 1)
        var changed = memberships.records.count != recordsBefore
        for entry in entries where entry.index >= first && entry.kind == .configChange {
            if let record = ConfigChangeRecord.decode(entry.data) {
                memberships.appended(index: entry.index, membership: record.membership)
                changed = true
            }
        }
        if changed { adoptCurrentMembership() }
    }

    mutating func handleHeartbeat(_ message: Message) {
        // The leader sends min(our match, its commit), so this stays within our matching prefix.
        log.commit(to: min(message.commit, log.lastIndex))
        send(Message(
            kind: .heartbeatResponse, from: id, to: message.from, term: term,
            context: message.context, leaseTick: message.leaseTick))
    }

    mutating func handleSnapshot(_ message: Message) {
        guard let snapshot = message.snapshot, snapshot.metadata.index > 0,
            snapshot.metadata.term <= message.term
        else { return }
        let installed = restore(snapshot)
        send(Message(
            kind: .appendResponse, from: id, to: message.from, term: term,
            index: installed ? log.lastIndex : log.committed, leaseTick: message.leaseTick))
    }

    /// Installs a leader's snapshot unless the log already holds (or committed) what it covers.
    mutating func restore(_ snapshot: Snapshot) -> Bool {
        let metadata = snapshot.metadata
        guard metadata.index > log.committed else { return false }
        if log.matchTerm(metadata.index, metadata.term) {
            log.commit(to: metadata.index)
            return false
        }
        log.restore(snapshot)
        memberships.reset(base: metadata.membership, index: metadata.index)
        adoptCurrentMembership()
        assert(log.committed == metadata.index)
        return true
    }
}
