extension RaftNode {
    /// Why a node campaigns.
    enum CampaignKind {
        /// PreVote: ask whether we could win before raising the term (dissertation §9.6).
        case preElection
        case election
        /// The leader sent `timeoutNow`: campaign at once; voters bypass their lease.
        case transfer
    }

    mutating func tickElection() {
        electionElapsedTicks = min(electionElapsedTicks + 1, 2 * configuration.electionTimeoutTicks)
        guard isPromotable, electionElapsedTicks >= randomizedElectionTimeoutTicks else { return }
        electionElapsedTicks = 0
        campaign(configuration.preVote ? .preElection : .election)
    }

    mutating func campaign(_ kind: CampaignKind) {
        precondition(isPromotable && role != .leader, "only a voter that does not lead campaigns")
        let requestKind: MessageKind
        let requestTerm: UInt64
        if kind == .preElection {
            becomePreCandidate()
            requestKind = .preVote
            requestTerm = term + 1
        } else {
            becomeCandidate()
            requestKind = .vote
            requestTerm = term
        }
        tracker.recordVote(from: id, granted: true)
        if tracker.voteResult() == .won {
            if kind == .preElection { campaign(.election) } else { becomeLeader() }
            return
        }
        for voter in tracker.voters where voter != id {
            send(Message(
                kind: requestKind, from: id, to: voter, term: requestTerm, logTerm: log.lastTerm,
                index: log.lastIndex, isLeadershipTransfer: kind == .transfer))
        }
    }

    mutating func becomePreCandidate() {
        precondition(role != .leader)
        role = .preCandidate
        leader = .none
        tracker.resetVotes()
    }

    mutating func becomeCandidate() {
        precondition(role != .leader)
        reset(term: term + 1)
        vote = id
        role = .candidate
    }

    mutating func stepCandidate(_ message: Message) {
        let expectedResponse: MessageKind = role == .preCandidate ? .preVoteResponse : .voteResponse
        switch message.kind {
        case .append, .heartbeat, .snapshot:
            becomeFollower(term: message.term, leader: message.from)
            stepFollower(message)
        case expectedResponse:
            tracker.recordVote(from: message.from, granted: !message.reject)
            switch tracker.voteResult() {
            case .won:
                if role == .preCandidate { campaign(.election) } else { becomeLeader() }
            case .lost:
                becomeFollower(term: term, leader: .none)
            case .pending:
                break
            }
        default:
            break
        }
    }

    /// Grants a (pre)vote to an up-to-date candidate we may vote for (§5.2, §5.4.1). The caller
    /// already applied the lease check and moved our term.
    mutating func handleVoteRequest(_ message: Message) {
        precondition(message.kind.isVoteRequest && message.term >= term)
        let responseKind: MessageKind = message.kind == .vote ? .voteResponse : .preVoteResponse
        let canVote =
            vote == message.from || (vote == .none && leader == .none)
            || (message.kind == .preVote && message.term > term)
        if canVote && log.isUpToDate(lastIndex: message.index, lastTerm: message.logTerm) {
            send(Message(kind: responseKind, from: id, to: message.from, term: message.term))
            if message.kind == .vote {
                electionElapsedTicks = 0
                vote = message.from
            }
        } else {
            send(Message(kind: responseKind, from: id, to: message.from, term: term, reject: true))
        }
    }
}
