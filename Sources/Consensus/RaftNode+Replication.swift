extension RaftNode {
    /// Appends one entry of the leader's term to its own log.
    mutating func appendAsLeader(kind: EntryKind, data: [UInt8]) {
        precondition(role == .leader)
        let entry = Entry(term: term, index: log.lastIndex + 1, kind: kind, data: data)
        log.append([entry])
        uncommittedBytes += entry.sizeBytes
        if kind == .configChange, let record = ConfigChangeRecord.decode(data) {
            // The new membership takes effect as soon as it is in the log (§4.1).
            memberships.appended(index: entry.index, membership: record.membership)
            adoptCurrentMembership()
            if let transfer, !record.membership.isVoter(transfer.target) { abortTransfer() }
        }
        assert(log.lastIndex == entry.index && log.lastTerm == term)
    }

    /// Sends `peer` the entries it lacks, or a snapshot when they were compacted away. False
    /// when nothing was sent (flow control, or nothing new and `sendIfEmpty` is false).
    @discardableResult
    mutating func sendAppend(to peer: NodeID, sendIfEmpty: Bool = true) -> Bool {
        guard let member = tracker.progress[peer], !member.isPaused else { return false }
        assert(member.next >= 1 && member.next <= log.lastIndex + 1)
        let previousIndex = member.next - 1
        guard let previousTerm = log.term(at: previousIndex),
            let entries = log.entries(from: member.next, bytesMaximum: configuration.messageBytesMaximum)
        else { return sendSnapshot(to: peer) }
        if entries.isEmpty && !sendIfEmpty { return false }
        var bytes = 0
        for entry in entries { bytes += entry.sizeBytes }
        tracker.progress[peer]?.sentEntries(lastIndex: entries.last?.index, bytes: bytes)
        send(Message(
            kind: .append, from: id, to: peer, term: term, logTerm: previousTerm, index: previousIndex,
            entries: entries, commit: log.committed, leaseTick: tickCount))
        return true
    }

    private mutating func sendSnapshot(to peer: NodeID) -> Bool {
        guard let snapshot = log.snapshot else { return false }
        tracker.progress[peer]?.becomeSnapshot(index: snapshot.metadata.index, tick: tickCount)
        send(Message(kind: .snapshot, from: id, to: peer, term: term, snapshot: snapshot, leaseTick: tickCount))
        return true
    }

    /// Keeps the pipeline to `peer` full after an acknowledgement, up to the in-flight bounds.
    mutating func sendMoreAppends(to peer: NodeID) {
        for _ in 0..<configuration.inflightMessagesMaximum {
            guard sendAppend(to: peer, sendIfEmpty: false) else { return }
        }
    }

    mutating func broadcastAppend() {
        for peer in tracker.peers { sendAppend(to: peer) }
    }

    /// Heartbeats carry the commit index each follower can safely adopt, this leader's tick
    /// (for the lease) and the newest pending read's number (for ReadIndex).
    mutating func broadcastHeartbeat() {
        let context = readOnly.heartbeatContext
        for peer in tracker.peers {
            let commit = min(tracker.progress[peer]?.match ?? 0, log.committed)
            send(Message(
                kind: .heartbeat, from: id, to: peer, term: term, commit: commit,
                context: context, leaseTick: tickCount))
        }
    }
}
