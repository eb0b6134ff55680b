import Glibc
import Storage
import Testing
import TestSupport

/// Power cuts at every kind of moment, from fixed seeds: the real log is
/// driven through random appends (entries of rising terms, hard states,
/// conflicting-suffix rewrites), snapshots, segment rolls and reopens; after
/// each operation its files are the durable image, and a crash during the
/// next one is modelled by `PageCache` from that image and the writes the
/// operation made after its last sync point. Recovery of every such image
/// must succeed, keep every batch whose append returned, and leave no entry
/// with a term above the hard state's. A failure names its seed, step and
/// write; `POWERCUT_SEED=S` replays one seed, `POWERCUT_SEEDS=N` runs 1...N.
struct PowerCutPropertyTests {
    static let defaultSeedCount: UInt64 = 2000
    static let operationsPerSeed = 6
    /// Seeds run as this many test cases, so that they spread over the cores.
    static let chunkCount: UInt64 = 8

    static var chunks: [ClosedRange<UInt64>] {
        let environment = { (name: String) in getenv(name).flatMap { UInt64(String(cString: $0)) } }
        if let seed = environment("POWERCUT_SEED") { return [seed...seed] }
        let count = max(environment("POWERCUT_SEEDS") ?? defaultSeedCount, chunkCount)
        let size = (count + chunkCount - 1) / chunkCount
        return stride(from: UInt64(1), through: count, by: Int(size)).map { $0...min($0 + size - 1, count) }
    }

    @Test(arguments: chunks)
    func everyCrashImageRecoversEverySyncedBatchAndNoTermAboveTheHardState(seeds: ClosedRange<UInt64>) throws {
        for seed in seeds { try Self.run(seed: seed) }
    }

    /// The durable state of the log as recovery reports it.
    struct Durable: Equatable, CustomStringConvertible {
        var snapshot: SnapshotRecord?
        var entries: [LogEntryRecord]
        var hardState: HardStateRecord?

        var description: String {
            "snapshot \(snapshot.map { "\($0.index)@\($0.term)" } ?? "none"), entries [\(Fixtures.summary(entries))], "
                + "hard state \(hardState.map { "term \($0.term) vote \($0.votedFor) commit \($0.commitIndex)" } ?? "none")"
        }
    }

    static func run(seed: UInt64) throws {
        let directory = TemporaryDirectory(under: TemporaryDirectory.memoryBackedParent)
        defer { directory.remove() }
        var random = SplitMix64(seed: seed)
        let cache = PageCache(using: &random)
        var history = History()
        var (log, _) = try WriteAheadLog.open(directory: directory.path, segmentSizeBytes: Fixtures.smallSegmentBytes)
        defer { log.close() }
        var durable = try DirectoryImage.read(from: directory.path)
        for step in 0..<operationsPerSeed {
            let before = history.durable
            // A commit-only hard state not yet written becomes durable with
            // the next batch, or with the first batch of a new segment.
            let beforeWithLatestHardState = Durable(snapshot: before.snapshot, entries: before.entries, hardState: history.model.hardState)
            let operation = history.next(using: &random)
            log = try operation.perform(on: log, directory: directory.path)
            history.performed(operation)
            let after = try DirectoryImage.read(from: directory.path)
            let writes = pendingWrites(of: operation, from: durable, to: after)
            if !writes.isEmpty {
                let reached = Int(random.next() % UInt64(writes.count))
                let image = cache.crashImage(durable: durable, writes: writes, reached: reached, using: &random)
                var allowed = [before, beforeWithLatestHardState, history.durable]
                if case .snapshot = operation {
                    allowed.append(Durable(snapshot: history.durable.snapshot, entries: history.durable.entries,
                                           hardState: before.hardState))
                }
                let context = "POWERCUT_SEED=\(seed) step \(step) (\(operation)), crash during \(writes[reached]) "
                    + "with \(cache.pageBytes)-byte pages"
                try check(image, allowed: allowed, context)
            }
            durable = after
        }
    }

    /// Recovers a copy of `image` and checks what the coordinator would.
    static func check(_ image: DirectoryImage, allowed: [Durable], _ context: String) throws {
        let copy = TemporaryDirectory(under: TemporaryDirectory.memoryBackedParent)
        defer { copy.remove() }
        try image.write(to: copy.path)
        let recovered: RecoveredLog
        do {
            let log: WriteAheadLog
            (log, recovered) = try WriteAheadLog.open(directory: copy.path, segmentSizeBytes: Fixtures.smallSegmentBytes)
            try log.flushAndClose()
        } catch let error {
            Issue.record("\(context): recovery refused: \(error)")
            return
        }
        let found = Durable(snapshot: recovered.snapshot, entries: recovered.entries, hardState: recovered.hardState)
        #expect(allowed.contains(found), "\(context): recovered \(found), allowed \(allowed)")
        let termBound = recovered.hardState?.term ?? 0
        #expect(recovered.entries.allSatisfy { $0.term <= termBound }, "\(context): an entry's term is above the hard state's")
        let firstIndex = (recovered.snapshot?.index ?? 0) + 1
        let contiguous = recovered.entries.enumerated().allSatisfy { $0.element.index == firstIndex + UInt64($0.offset) }
        #expect(contiguous, "\(context): entries do not follow on from the snapshot")
        #expect(recovered.skippedSnapshots.isEmpty, "\(context): \(recovered.skippedSnapshots)")
    }

    /// What `operation` wrote between its last sync point before it and its
    /// end, in the order its own sync points make durable: a snapshot file
    /// (temp file, then rename), a batch on an existing segment, a new
    /// segment (its first batches, then the operation's batch), then unlinks
    /// of snapshots (together) and of segments (one by one).
    static func pendingWrites(of operation: Operation, from before: DirectoryImage, to after: DirectoryImage) -> [PendingWrite] {
        var writes: [PendingWrite] = []
        if case let .snapshot(snapshot) = operation {
            let path = "snap/" + snapshotName(snapshot.index)
            let bytes = after.files[path] ?? []
            writes += [.append(path: path + ".tmp", offset: 0, bytes: bytes, created: true), .rename(path: path, bytes: bytes)]
        }
        let segments = after.files.keys.filter { $0.hasPrefix("wal/") }.sorted()
        for path in segments {
            guard let old = before.files[path], let new = after.files[path], new.count > old.count else { continue }
            writes.append(.append(path: path, offset: old.count, bytes: Array(new[old.count...]), created: false))
        }
        for path in segments where before.files[path] == nil {
            let bytes = after.files[path]!
            let split = operation.writesABatchIntoANewSegment ? lastBatchStart(bytes) : bytes.count
            writes.append(.append(path: path, offset: 0, bytes: Array(bytes[..<split]), created: true))
            if split < bytes.count {
                writes.append(.append(path: path, offset: split, bytes: Array(bytes[split...]), created: false))
            }
        }
        let removed = before.files.keys.filter { after.files[$0] == nil }.sorted()
        let snapshotsRemoved = removed.filter { $0.hasPrefix("snap/") }
        if !snapshotsRemoved.isEmpty { writes.append(.removals(snapshotsRemoved)) }
        writes += removed.filter { $0.hasPrefix("wal/") }.map { .removals([$0]) }
        return writes
    }

    /// Where the last batch of a segment begins, read from the documented
    /// layout: a 21-byte segment header, then batches whose 25-byte header
    /// holds the bytes of the records after it (u32 at payload offset 12).
    static func lastBatchStart(_ bytes: [UInt8]) -> Int {
        var start = Fixtures.segmentHeaderFrameBytes
        var last = start
        while start + Fixtures.batchHeaderFrameBytes <= bytes.count {
            last = start
            let field = start + Fixtures.frameHeaderBytes + 1 + 12
            let recordBytes = (0..<4).reduce(0) { $0 | Int(bytes[field + $1]) << (8 * $1) }
            start += Fixtures.batchHeaderFrameBytes + recordBytes
        }
        return last
    }

    static func snapshotName(_ index: UInt64) -> String {
        let digits = String(index, radix: 16)
        return "snapshot-" + String(repeating: "0", count: 16 - digits.count) + digits + ".snap"
    }
}
