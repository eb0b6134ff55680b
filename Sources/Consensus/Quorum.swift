/// Pure majority math over a list of voters; no protocol state.
enum Quorum {
    /// The outcome of counting votes so far.
    enum VoteResult: Equatable {
        case won
        case lost
        case pending
    }

    static func majority(of voterCount: Int) -> Int {
        precondition(voterCount >= 0)
        return voterCount / 2 + 1
    }

    /// The largest value a majority of voters have reached — the committed index for match
    /// indexes, the lease start for acknowledged send ticks. Nil when fewer than a majority of
    /// voters report any value (or there are no voters).
    static func majorityValue(voters: [NodeID], value: (NodeID) -> UInt64?) -> UInt64? {
        precondition(voters.count <= Membership.membersMaximum, "too many voters for a quorum")
        guard !voters.isEmpty else { return nil }
        let needed = majority(of: voters.count)
        // Sorted descending on the stack: this runs on every commit check and lease query.
        return withUnsafeTemporaryAllocation(of: UInt64.self, capacity: voters.count) { values in
            var count = 0
            for voter in voters {
                guard let reported = value(voter) else { continue }
                var position = count
                while position > 0 && values[position - 1] < reported {
                    values[position] = values[position - 1]
                    position -= 1
                }
                values[position] = reported
                count += 1
            }
            guard count >= needed else { return nil }
            assert(needed == 1 || values[needed - 2] >= values[needed - 1])
            return values[needed - 1]
        }
    }

    /// Whether a majority of voters satisfy `predicate`.
    static func hasMajority(voters: [NodeID], _ predicate: (NodeID) -> Bool) -> Bool {
        guard !voters.isEmpty else { return false }
        var count = 0
        for voter in voters where predicate(voter) { count += 1 }
        return count >= majority(of: voters.count)
    }

    /// Won once a majority granted; lost once a majority can no longer be reached.
    static func voteResult(voters: [NodeID], vote: (NodeID) -> Bool?) -> VoteResult {
        guard !voters.isEmpty else { return .lost }
        var granted = 0
        var missing = 0
        for voter in voters {
            switch vote(voter) {
            case true?: granted += 1
            case false?: break
            case nil: missing += 1
            }
        }
        let needed = majority(of: voters.count)
        if granted >= needed { return .won }
        if granted + missing >= needed { return .pending }
        return .lost
    }
}
