/// The memberships this node's log defines, oldest first: a base (from the snapshot, or the
/// bootstrap membership) and one record per config-change entry after it. A node uses the newest
/// one, committed or not (dissertation §4.1), and falls back when a leader truncates it away.
struct MembershipHistory: Sendable {
    struct Record: Sendable, Equatable {
        var index: UInt64
        var membership: Membership
    }

    private(set) var records: [Record]

    init(base: Membership, index: UInt64) {
        records = [Record(index: index, membership: base)]
    }

    var current: Membership { records[records.count - 1].membership }
    var currentIndex: UInt64 { records[records.count - 1].index }

    /// The membership in force once the log is applied through `index`.
    func membership(at index: UInt64) -> Membership {
        var chosen = records[0].membership
        for record in records where record.index <= index { chosen = record.membership }
        return chosen
    }

    mutating func appended(index: UInt64, membership: Membership) {
        precondition(index > currentIndex, "config entries arrive in log order")
        records.append(Record(index: index, membership: membership))
    }

    /// Entries after `index` were dropped from the log; so are the memberships they defined.
    mutating func truncated(after index: UInt64) {
        while records.count > 1 && records[records.count - 1].index > index {
            records.removeLast()
        }
        assert(records.count >= 1)
    }

    /// The log was compacted through `index`: fold older records into the base.
    mutating func compacted(through index: UInt64) {
        let base = Record(index: index, membership: membership(at: index))
        records = [base] + records.filter { $0.index > index }
        assert(records.first?.index == index)
    }

    mutating func reset(base: Membership, index: UInt64) {
        records = [Record(index: index, membership: base)]
    }
}
