/// Damage done to the newest segment of a copied data directory at one byte offset.
enum TailDamage: Sendable, CustomStringConvertible {
    /// The file cut to `at` bytes, as a crash part-way through a write leaves it.
    case truncated(at: Int)
    /// The byte at `at` inverted (XOR 0xFF).
    case flipped(at: Int)

    var offset: Int {
        switch self {
        case let .truncated(offset), let .flipped(offset): return offset
        }
    }

    func apply(to bytes: [UInt8]) -> [UInt8] {
        switch self {
        case let .truncated(offset):
            return Array(bytes.prefix(offset))
        case let .flipped(offset):
            var damaged = bytes
            damaged[offset] ^= 0xFF
            return damaged
        }
    }

    var description: String {
        switch self {
        case let .truncated(offset): return "truncated at \(offset)"
        case let .flipped(offset): return "byte flipped at \(offset)"
        }
    }
}

/// What `hotswap data verify` reports of a usable log, in the terms the suite checks.
struct RecoveredSummary: Equatable, Sendable {
    let firstIndex: UInt64
    let lastIndex: UInt64
    let entryCount: Int
    let hardState: DurableHardState
    let snapshotIndex: UInt64
    let truncatedTailBytes: Int
    /// Sizes of the segments recovery replayed, after any cut (the fresh
    /// segment it then starts is left out).
    let replayedSegmentBytes: [Int]
}

/// What recovery must make of a damaged copy.
enum ExpectedRecovery: Equatable, Sendable {
    /// Exactly the records before the damage, and nothing after it.
    case keeps(RecoveredSummary)
    /// Mid-log corruption: a refusal naming this segment (relative to the data
    /// directory) and the damaged record's offset.
    case refuses(segment: String, offset: Int)
}

/// One segment of a recorded log: its path inside the data directory, bytes and frames.
struct RecordedSegment: Sendable {
    let relativePath: String
    let bytes: [UInt8]
    let frames: [SegmentFrame]
}

/// The recovery rules of Docs/STORAGE.md applied to a recorded log whose
/// newest segment is damaged: the batches before the damage survive; damage
/// in the last batch (or a cut anywhere) is a torn tail and the damaged batch
/// is dropped whole; damage with a later batch after it is mid-log corruption
/// and is refused, naming the damaged record. Every entry record sets the last
/// index to its own (it extends the log or replaces the suffix from its
/// index), so the last index is that of the last surviving entry.
struct RecoveryModel: Sendable {
    /// Oldest first; the last is the one the damage goes into.
    let segments: [RecordedSegment]

    var newest: RecordedSegment { segments[segments.count - 1] }

    /// The start of the damage sweep: the last `records` records of the newest
    /// segment, reaching further back if needed to include its last `entries`
    /// entry records.
    func sweepStart(records: Int, entries: Int) -> Int {
        let frames = newest.frames
        let entryFrames = frames.filter { $0.entryIndex != nil }
        let byRecords = frames[max(0, frames.count - records)].offset
        let byEntries = entryFrames.isEmpty ? byRecords : entryFrames[max(0, entryFrames.count - entries)].offset
        return min(byRecords, byEntries)
    }

    /// The newest segment's frames in units recovery keeps or drops whole:
    /// the segment header, then each batch (its header and its records).
    var newestBatches: [[SegmentFrame]] {
        var units: [[SegmentFrame]] = []
        for frame in newest.frames {
            if units.isEmpty || frame.type == SegmentFrame.batchHeaderType { units.append([]) }
            units[units.count - 1].append(frame)
        }
        return units
    }

    /// The newest segment's frames that survive `damage`; nil when it is mid-log corruption.
    func survivingNewestFrames(_ damage: TailDamage) -> [SegmentFrame]? {
        let batches = newestBatches
        switch damage {
        case let .truncated(offset):
            return batches.prefix { $0.last!.end <= offset }.flatMap { $0 }
        case let .flipped(offset):
            guard let damaged = batches.firstIndex(where: { $0.first!.offset <= offset && offset < $0.last!.end }) else {
                return newest.frames
            }
            return damaged == batches.count - 1 ? batches.prefix(damaged).flatMap { $0 } : nil
        }
    }

    func expectation(_ damage: TailDamage) -> ExpectedRecovery {
        guard let surviving = survivingNewestFrames(damage) else {
            let record = newest.frames.first { $0.contains(damage.offset) }!
            return .refuses(segment: newest.relativePath, offset: record.offset)
        }
        let kept = segments.dropLast().flatMap(\.frames) + surviving
        let lastIndex = kept.compactMap(\.entryIndex).last ?? 0
        let keptEnd = surviving.last?.end ?? 0
        return .keeps(RecoveredSummary(
            firstIndex: 1, lastIndex: lastIndex, entryCount: Int(lastIndex),
            hardState: kept.compactMap(\.hardState).last ?? DurableHardState(term: 0, vote: 0, commit: 0),
            snapshotIndex: 0,
            truncatedTailBytes: damage.apply(to: newest.bytes).count - keptEnd,
            replayedSegmentBytes: segments.dropLast().map(\.bytes.count) + (keptEnd > 0 ? [keptEnd] : [])))
    }

    /// The entry data recovery keeps after `damage` (empty when it refuses).
    func keptEntryData(_ damage: TailDamage) -> [[UInt8]] {
        guard let surviving = survivingNewestFrames(damage) else { return [] }
        return (segments.dropLast().flatMap(\.frames) + surviving).compactMap(\.entryData)
    }
}
