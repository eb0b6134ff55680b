import Glibc
import Storage
import Testing
import TestSupport

/// Random appends, overwrites, hard states, snapshots and reopens from fixed
/// seeds, checked after every reopen against `LogModel`. A failure names its
/// seed and step; rerun that seed to replay it exactly. Set
/// `STORAGE_PROPERTY_SEEDS=N` to run seeds 1...N instead of the default few.
struct PropertyTests {
    static let defaultSeeds: [UInt64] = [1, 2, 3, 5, 8, 13, 21, 34]
    static var seeds: [UInt64] {
        guard let text = getenv("STORAGE_PROPERTY_SEEDS").map({ String(cString: $0) }), let count = UInt64(text), count > 0 else {
            return defaultSeeds
        }
        return Array(1...count)
    }
    static let stepsPerSeed = 160
    static let snapshotFilesMaximum = 2

    @Test(arguments: seeds)
    func randomHistoriesRecoverExactlyWhatTheModelHolds(seed: UInt64) throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        var random = SplitMix64(seed: seed)
        var model = LogModel()
        var term: UInt64 = 1
        var hardStates = HardStateTracker()
        var (log, _) = try WriteAheadLog.open(directory: directory.path, segmentSizeBytes: Fixtures.smallSegmentBytes)
        for step in 0..<Self.stepsPerSeed {
            let context = "seed \(seed) step \(step)"
            let roll = Int.random(in: 0..<100, using: &random)
            switch roll {
            case 0..<45:
                let entries = Self.entries(from: model.lastIndex + 1, term: term, using: &random)
                let state = Bool.random(using: &random) ? Self.hardState(term: term, model: model, using: &random) : nil
                try log.append(entries: entries, hardState: state)
                model.append(entries, hardState: state)
                hardStates.batchWritten(state)
            case 45..<60 where model.lastIndex > model.snapshotIndex:
                term += 1
                let start = UInt64.random(in: model.snapshotIndex + 1...model.lastIndex, using: &random)
                let entries = Self.entries(from: start, term: term, using: &random)
                try log.append(entries: entries, hardState: nil)
                model.append(entries, hardState: nil)
                hardStates.batchWritten(nil)
            case 60..<70:
                term += UInt64.random(in: 0...1, using: &random)
                let state = Self.hardState(term: term, model: model, using: &random)
                try log.append(entries: [], hardState: state)
                hardStates.accepted(state, previous: model.hardState)
                model.append([], hardState: state)
            case 70..<80 where model.lastIndex > 0:
                let index = UInt64.random(in: model.snapshotIndex...model.lastIndex, using: &random)
                guard let entryTerm = model.term(at: index) else { continue }
                let snapshot = Self.snapshot(index, term: entryTerm)
                try log.saveSnapshot(snapshot)
                model.save(snapshot)
                hardStates.batchWritten(nil)
            case 80..<84:
                term += 1
                let index = model.snapshotIndex + UInt64.random(in: 1...(model.lastIndex - model.snapshotIndex + 5), using: &random)
                let snapshot = Self.snapshot(index, term: term)
                try log.saveSnapshot(snapshot)
                model.save(snapshot)
                hardStates.batchWritten(nil)
            case 84..<92:
                try log.flushAndClose()
                hardStates.batchWritten(nil)
                let recovered: RecoveredLog
                (log, recovered) = try WriteAheadLog.open(directory: directory.path, segmentSizeBytes: Fixtures.smallSegmentBytes)
                Self.check(recovered, against: model, context)
            case 92..<97:
                let entries = Self.entries(from: model.lastIndex + 1, term: term, using: &random)
                let crash = try Self.crashDuringAppend(
                    entries, carrying: hardStates.unwritten, log: log, directory: directory, using: &random)
                log = crash.log
                if crash.rolled { hardStates.batchWritten(nil) }
                model.hardState = hardStates.crashed()
                Self.check(crash.recovered, against: model, context, expectedTruncatedBytes: crash.tornBytes)
            default:
                continue
            }
            #expect(log.lastIndex == model.lastIndex, "\(context)")
            #expect(try directory.snapshotNames().count <= Self.snapshotFilesMaximum, "\(context)")
        }
        try log.flushAndClose()
        let (final, recovered) = try WriteAheadLog.open(directory: directory.path, segmentSizeBytes: Fixtures.smallSegmentBytes)
        final.close()
        Self.check(recovered, against: model, "seed \(seed) at the end")
    }

    /// What a crash part-way through an append left.
    struct Crash {
        var log: WriteAheadLog
        var recovered: RecoveredLog
        /// Bytes of the batch before the cut: all of them dropped.
        var tornBytes: Int
        /// True when the append started a segment, whose first batch holds
        /// the hard state: durable before the batch that was cut.
        var rolled: Bool
    }

    /// Appends `entries` (the log adds `carried`, a commit-only hard state
    /// not yet written, to their batch), then cuts the segment inside that
    /// batch, as a crash part-way through its write would, and reopens.
    static func crashDuringAppend(
        _ entries: [LogEntryRecord], carrying carried: HardStateRecord?, log: WriteAheadLog,
        directory: TemporaryDirectory, using random: inout SplitMix64
    ) throws -> Crash {
        let segmentCount = try directory.segmentPaths().count
        try log.append(entries: entries, hardState: nil)
        try log.flushAndClose()
        let segments = try directory.segmentPaths()
        let end = try Files.size(segments.last!)
        let batchBytes = Fixtures.batchHeaderFrameBytes + entries.map { Fixtures.entryFrameBytes(dataBytes: $0.data.count) }.reduce(0, +)
            + (carried == nil ? 0 : Fixtures.hardStateFrameBytes)
        let cut = Int.random(in: end - batchBytes + 1..<end, using: &random)
        try Files.truncate(segments.last!, toBytes: cut)
        let (reopened, recovered) = try WriteAheadLog.open(directory: directory.path, segmentSizeBytes: Fixtures.smallSegmentBytes)
        return Crash(log: reopened, recovered: recovered, tornBytes: cut - (end - batchBytes), rolled: segments.count > segmentCount)
    }

    static func check(_ recovered: RecoveredLog, against model: LogModel, _ context: String, expectedTruncatedBytes: Int = 0) {
        #expect(recovered.snapshot == model.snapshot, "\(context)")
        #expect(recovered.entries == model.entries, "\(context)")
        #expect(recovered.hardState == model.hardState, "\(context)")
        #expect(recovered.truncatedTailBytes == expectedTruncatedBytes, "\(context)")
        #expect(recovered.skippedSnapshots.isEmpty, "\(context)")
    }

    static func entries(from start: UInt64, term: UInt64, using random: inout SplitMix64) -> [LogEntryRecord] {
        let count = UInt64.random(in: 1...4, using: &random)
        return (start..<start + count).map { Fixtures.entry($0, term: term, dataBytes: Int.random(in: 0...160, using: &random)) }
    }

    static func hardState(term: UInt64, model: LogModel, using random: inout SplitMix64) -> HardStateRecord {
        let vote = UInt64.random(in: 0...3, using: &random)
        return HardStateRecord(term: term, votedFor: vote, commitIndex: UInt64.random(in: 0...model.lastIndex, using: &random))
    }

    static func snapshot(_ index: UInt64, term: UInt64) -> SnapshotRecord {
        SnapshotRecord(index: index, term: term, configuration: [UInt8(index % 5)], data: Array("snapshot \(index)/\(term)".utf8))
    }
}
