import Storage
import TestSupport

/// One operation the power-cut test makes on the log.
enum Operation: CustomStringConvertible {
    case append(entries: [LogEntryRecord], hardState: HardStateRecord?)
    case snapshot(SnapshotRecord)
    case reopen

    /// False for a reopen, whose new segment holds only its first batch.
    var writesABatchIntoANewSegment: Bool {
        if case .reopen = self { return false }
        return true
    }

    /// Performs the operation; a reopen returns the new log.
    func perform(on log: WriteAheadLog, directory: String) throws -> WriteAheadLog {
        switch self {
        case let .append(entries, hardState):
            try log.append(entries: entries, hardState: hardState)
            return log
        case let .snapshot(snapshot):
            try log.saveSnapshot(snapshot)
            return log
        case .reopen:
            try log.flushAndClose()
            return try WriteAheadLog.open(directory: directory, segmentSizeBytes: Fixtures.smallSegmentBytes).0
        }
    }

    var description: String {
        switch self {
        case let .append(entries, hardState):
            let state = hardState.map { " + hard state term \($0.term) vote \($0.votedFor) commit \($0.commitIndex)" } ?? ""
            return "append [\(Fixtures.summary(entries))]\(state)"
        case let .snapshot(snapshot):
            return "snapshot \(snapshot.index)@\(snapshot.term)"
        case .reopen:
            return "reopen"
        }
    }
}

/// What the power-cut test has done to the log, as `LogModel` and
/// `HardStateTracker` keep it, and the operation it draws next: as a Raft
/// node would make them (entries never above the hard state's term, a new
/// term's entries written with the hard state that moves to it, committed
/// entries never rewritten).
struct History {
    static let entriesPerAppendMaximum: UInt64 = 4
    static let entryDataMaximumBytes = 120
    static let voteMaximum: UInt64 = 3
    static let installedSnapshotLeadMaximum: UInt64 = 4

    private(set) var model = LogModel()
    private(set) var hardStates = HardStateTracker()

    /// What recovery must find once every write so far is durable.
    var durable: PowerCutPropertyTests.Durable {
        PowerCutPropertyTests.Durable(snapshot: model.snapshot, entries: model.entries, hardState: hardStates.written)
    }

    mutating func next(using random: inout SplitMix64) -> Operation {
        guard let state = model.hardState else {
            return .append(entries: [], hardState: HardStateRecord(term: 1, votedFor: 1, commitIndex: 0))
        }
        switch random.next() % 100 {
        case 0..<35:
            let entries = Self.entries(from: model.lastIndex + 1, term: state.term, using: &random)
            let commit = random.next() % 2 == 0 ? nil : moved(state, commit: random.next() % (model.lastIndex + 1))
            return .append(entries: entries, hardState: commit)
        case 35..<50:
            let start = model.snapshotIndex + 1 + random.next() % (model.lastIndex - model.snapshotIndex + 1)
            let next = HardStateRecord(term: state.term + 1, votedFor: random.next() % (Self.voteMaximum + 1),
                                       commitIndex: min(state.commitIndex, start - 1))
            return .append(entries: Self.entries(from: start, term: next.term, using: &random), hardState: next)
        case 50..<58:
            let next = HardStateRecord(term: state.term + 1, votedFor: random.next() % (Self.voteMaximum + 1),
                                       commitIndex: state.commitIndex)
            return .append(entries: [], hardState: next)
        case 58..<72:
            return .append(entries: [], hardState: moved(state, commit: random.next() % (model.lastIndex + 1)))
        case 72..<84 where model.lastIndex >= 1:
            let index = max(1, model.snapshotIndex) + random.next() % (model.lastIndex - max(1, model.snapshotIndex) + 1)
            return .snapshot(Self.snapshot(index, term: model.term(at: index) ?? state.term))
        case 84..<88:
            let index = model.lastIndex + 1 + random.next() % Self.installedSnapshotLeadMaximum
            return .snapshot(Self.snapshot(index, term: state.term))
        default:
            return .reopen
        }
    }

    mutating func performed(_ operation: Operation) {
        switch operation {
        case let .append(entries, state):
            if entries.isEmpty, let state {
                hardStates.accepted(state, previous: model.hardState)
            } else {
                hardStates.batchWritten(state)
            }
            model.append(entries, hardState: state)
        case let .snapshot(snapshot):
            model.save(snapshot)
            hardStates.batchWritten(nil)
        case .reopen:
            hardStates.batchWritten(nil)
        }
    }

    private func moved(_ state: HardStateRecord, commit: UInt64) -> HardStateRecord {
        HardStateRecord(term: state.term, votedFor: state.votedFor, commitIndex: commit)
    }

    private static func entries(from start: UInt64, term: UInt64, using random: inout SplitMix64) -> [LogEntryRecord] {
        let count = 1 + random.next() % entriesPerAppendMaximum
        return (start..<start + count).map {
            Fixtures.entry($0, term: term, dataBytes: Int(random.next() % UInt64(entryDataMaximumBytes + 1)))
        }
    }

    private static func snapshot(_ index: UInt64, term: UInt64) -> SnapshotRecord {
        SnapshotRecord(index: index, term: term, configuration: [UInt8(index % 5)], data: Array("snapshot \(index)/\(term)".utf8))
    }
}
