/// The membership as one node tracks it: who votes, the leader's per-member progress, the votes
/// of a campaign, and the quorum questions asked of them (etcd's tracker package).
///
/// Iteration always follows the sorted membership lists, never dictionary order, so a node's
/// behaviour replays exactly.
struct ProgressTracker: Sendable {
    let selfID: NodeID
    let inflightMessagesMaximum: Int
    let inflightBytesMaximum: Int
    private(set) var membership: Membership
    /// Members other than this node, sorted.
    private(set) var peers: [NodeID]
    /// Filled only while this node leads.
    var progress: [NodeID: Progress] = [:]
    private var votes: [NodeID: Bool] = [:]
    /// `leaseStartTick` with the leader's own stamp as UInt64.max; nil when not leading.
    private var leaseQuorumTick: UInt64?

    init(selfID: NodeID, membership: Membership, inflightMessagesMaximum: Int, inflightBytesMaximum: Int) {
        self.selfID = selfID
        self.membership = membership
        self.peers = membership.members.filter { $0 != selfID }
        self.inflightMessagesMaximum = inflightMessagesMaximum
        self.inflightBytesMaximum = inflightBytesMaximum
    }

    var voters: [NodeID] { membership.voters }

    /// Adopts a new membership; while leading, newcomers start probing at `lastIndex + 1`.
    mutating func setMembership(_ newMembership: Membership, lastIndex: UInt64, isLeading: Bool) {
        membership = newMembership
        peers = newMembership.members.filter { $0 != selfID }
        guard isLeading else { return }
        var updated: [NodeID: Progress] = [:]
        for id in newMembership.members {
            updated[id] = progress[id] ?? makeProgress(next: lastIndex + 1)
        }
        progress = updated
        refreshLeaseQuorumTick()
        assert(progress.count == newMembership.members.count)
    }

    /// A new leader's view: it knows nothing of the others; it holds `selfMatch` itself.
    mutating func resetProgress(lastIndex: UInt64, selfMatch: UInt64) {
        progress = [:]
        for id in membership.members {
            var member = makeProgress(next: lastIndex + 1)
            if id == selfID {
                member.match = selfMatch
                member.becomeReplicate()
                member.next = lastIndex + 1
                member.recentActive = true
            }
            progress[id] = member
        }
        refreshLeaseQuorumTick()
    }

    mutating func clearProgress() {
        progress = [:]
        leaseQuorumTick = nil
    }

    /// The highest index a majority of voters hold.
    func committedIndex() -> UInt64 {
        Quorum.majorityValue(voters: voters) { progress[$0]?.match } ?? 0
    }

    /// Whether a majority of voters were heard from in this CheckQuorum window (self included).
    func isQuorumActive() -> Bool {
        Quorum.hasMajority(voters: voters) { $0 == selfID || progress[$0]?.recentActive == true }
    }

    mutating func resetRecentActive() {
        for id in peers { progress[id]?.recentActive = false }
    }

    /// The quorum-th largest acknowledged send tick, the leader's own being `nowTick`.
    func leaseStartTick(nowTick: UInt64) -> UInt64? {
        // Every acknowledged stamp is at most `nowTick`, so "now" stands in for UInt64.max.
        leaseQuorumTick.map { min($0, nowTick) }
    }

    mutating func recordLeaseAck(from id: NodeID, sentTick: UInt64, nowTick: UInt64) {
        // A stamp from the future is not ours: ignore it rather than trust it.
        guard sentTick <= nowTick, var member = progress[id] else { return }
        guard member.leaseAckedTick.map({ sentTick > $0 }) ?? true else { return }
        member.leaseAckedTick = sentTick
        progress[id] = member
        refreshLeaseQuorumTick()
    }

    /// Recomputed whenever an acknowledgement or the voters change: the lease is queried far
    /// more often (every proposal and read) than it moves.
    private mutating func refreshLeaseQuorumTick() {
        if progress.isEmpty {
            leaseQuorumTick = nil
            return
        }
        leaseQuorumTick = Quorum.majorityValue(voters: voters) {
            $0 == selfID ? UInt64.max : progress[$0]?.leaseAckedTick
        }
    }

    mutating func resetVotes() {
        votes = [:]
    }

    /// Records a voter's first answer in this campaign; later answers and non-voters are ignored.
    mutating func recordVote(from id: NodeID, granted: Bool) {
        guard membership.isVoter(id), votes[id] == nil else { return }
        votes[id] = granted
    }

    func voteResult() -> Quorum.VoteResult {
        Quorum.voteResult(voters: voters) { votes[$0] }
    }

    private func makeProgress(next: UInt64) -> Progress {
        Progress(next: next, inflightMessagesMaximum: inflightMessagesMaximum, inflightBytesMaximum: inflightBytesMaximum)
    }
}
