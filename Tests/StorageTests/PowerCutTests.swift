import Storage
import Testing
import TestSupport

/// What a power cut leaves of the one batch that was being written: any of
/// its pages written back or not, in any order. That batch was never
/// fsync'd, so recovery must drop it whole — never keep part of it, and never
/// refuse to start because of it. Damage to a batch that later batches follow
/// was fsync'd, and is refused.
struct PowerCutTests {
    /// A log in one segment whose final batch holds entries of a new term and
    /// the hard state that moves to it.
    struct Written {
        let directory: TemporaryDirectory
        let segment: String
        let entriesBefore: [LogEntryRecord]
        let hardStateBefore: HardStateRecord
        /// Where the final batch begins (the segment's size before it) and ends.
        let finalBatchStart: Int
        let endOffset: Int
        let finalEntries: [LogEntryRecord]
        /// Start and end of each batch before the final one.
        let batchRanges: [Range<Int>]
    }

    static let finalEntryDataBytes = 60
    static let pageBytes = 512

    static func writeLog() throws -> Written {
        let directory = TemporaryDirectory()
        let (log, _) = try WriteAheadLog.open(directory: directory.path)
        let segment = try directory.segmentPaths().last!
        let before = HardStateRecord(term: 2, votedFor: 1, commitIndex: 8)
        var entriesBefore: [LogEntryRecord] = []
        var ranges: [Range<Int>] = []
        for first in stride(from: UInt64(1), through: 10, by: 2) {
            let start = try Files.size(segment)
            let entries = Fixtures.entries(first...first + 1, term: 2)
            try log.append(entries: entries, hardState: first == 9 ? before : nil)
            entriesBefore += entries
            ranges.append(start..<(try Files.size(segment)))
        }
        let finalStart = try Files.size(segment)
        let finalEntries = Fixtures.entries(11...30, term: 3, dataBytes: finalEntryDataBytes)
        try log.append(entries: finalEntries, hardState: HardStateRecord(term: 3, votedFor: 2, commitIndex: 10))
        log.close()
        #expect(try directory.segmentPaths() == [segment], "the test needs every batch in one segment")
        let end = try Files.size(segment)
        #expect(end - finalStart > 3 * pageBytes, "the final batch must span several pages")
        return Written(
            directory: directory, segment: segment, entriesBefore: entriesBefore, hardStateBefore: before,
            finalBatchStart: finalStart, endOffset: end, finalEntries: finalEntries, batchRanges: ranges
        )
    }

    /// One way a power cut can leave the final batch's pages.
    enum Damage: CustomStringConvertible {
        /// Only the hard state record, the batch's last, was lost.
        case hardStateLost
        /// The file cut this many bytes before its end.
        case shortenedBy(Int)
        /// The page (of `pageBytes`) holding this offset into the batch reads as zeros.
        case pageZeroed(atBatchOffset: Int)
        /// The batch's first page lost, every later one written.
        case firstPageZeroed
        /// The batch's last page lost (the file keeps its length).
        case lastPageZeroed

        var description: String {
            switch self {
            case .hardStateLost: return "hard state lost"
            case let .shortenedBy(bytes): return "shortened by \(bytes)"
            case let .pageZeroed(offset): return "page at batch offset \(offset) zeroed"
            case .firstPageZeroed: return "first page zeroed"
            case .lastPageZeroed: return "last page zeroed"
            }
        }

        func apply(to written: Written) throws {
            var bytes = try Files.read(written.segment)
            switch self {
            case .hardStateLost:
                bytes.removeLast(Fixtures.hardStateFrameBytes)
            case let .shortenedBy(count):
                bytes.removeLast(count)
            case let .pageZeroed(offset):
                zeroPage(holding: written.finalBatchStart + offset, in: &bytes, batchStart: written.finalBatchStart)
            case .firstPageZeroed:
                zeroPage(holding: written.finalBatchStart, in: &bytes, batchStart: written.finalBatchStart)
            case .lastPageZeroed:
                zeroPage(holding: bytes.count - 1, in: &bytes, batchStart: written.finalBatchStart)
            }
            try Files.write(written.segment, bytes)
        }

        /// Zeros what the final batch wrote into that page: the page's bytes
        /// before the batch were fsync'd with the batches before it.
        private func zeroPage(holding offset: Int, in bytes: inout [UInt8], batchStart: Int) {
            let start = offset / PowerCutTests.pageBytes * PowerCutTests.pageBytes
            for position in max(start, batchStart)..<min(start + PowerCutTests.pageBytes, bytes.count) { bytes[position] = 0 }
        }
    }

    @Test(arguments: [
        Damage.hardStateLost, .shortenedBy(10), .shortenedBy(Fixtures.hardStateFrameBytes + 40),
        .pageZeroed(atBatchOffset: 700), .firstPageZeroed, .lastPageZeroed,
    ])
    func aFinalBatchTornByAPowerCutIsDroppedWholeSoNoNewTermEntryOutlivesItsHardState(damage: Damage) throws {
        let written = try Self.writeLog()
        defer { written.directory.remove() }
        try damage.apply(to: written)
        let damagedSize = try Files.size(written.segment)

        let (log, recovered) = try WriteAheadLog.open(directory: written.directory.path)
        log.close()
        let keptExactlyTheEarlierBatches = recovered.entries == written.entriesBefore
        #expect(keptExactlyTheEarlierBatches, "\(damage): recovered \(Fixtures.summary(recovered.entries))")
        #expect(recovered.hardState == written.hardStateBefore, "\(damage)")
        let termBound = recovered.hardState?.term ?? 0
        #expect(recovered.entries.allSatisfy { $0.term <= termBound }, "\(damage)")
        #expect(recovered.truncatedTailBytes == damagedSize - written.finalBatchStart, "\(damage)")
        #expect(try Files.size(written.segment) == written.finalBatchStart, "\(damage): cut at the batch's start")
    }

    @Test func recordsWrittenBackAfterALostPageAreATornTailNotAGapInTheLog() throws {
        let written = try Self.writeLog()
        defer { written.directory.remove() }
        let lostPageOffset = Self.pageBytes
        try Damage.pageZeroed(atBatchOffset: lostPageOffset).apply(to: written)

        let (log, recovered) = try WriteAheadLog.open(directory: written.directory.path)
        #expect(log.lastIndex == written.entriesBefore.last!.index)
        #expect(recovered.truncatedTailRecords == written.finalEntries.count + 1, "the batch's entries and hard state")
        let replacement = Fixtures.entry(11, term: 3, dataBytes: 5)
        try log.append(entries: [replacement], hardState: HardStateRecord(term: 3, votedFor: 2, commitIndex: 10))
        log.close()

        let (reopened, again) = try WriteAheadLog.open(directory: written.directory.path)
        reopened.close()
        let continuedFromTheEarlierBatches = again.entries == written.entriesBefore + [replacement]
        #expect(continuedFromTheEarlierBatches, "recovered \(Fixtures.summary(again.entries))")
        #expect(again.truncatedTailBytes == 0)
    }

    @Test(arguments: [0, 1, 2, 3])
    func damageToAnEarlierBatchFollowedByLaterBatchesIsRefusedNamingFileAndOffset(batch: Int) throws {
        let written = try Self.writeLog()
        defer { written.directory.remove() }
        let range = written.batchRanges[batch]
        let lastEntryStart = range.upperBound - Fixtures.entryFrameBytes(dataBytes: 24)
        try Files.flipByte(written.segment, at: lastEntryStart + Fixtures.frameHeaderBytes + 3)
        do {
            let (log, _) = try WriteAheadLog.open(directory: written.directory.path)
            log.close()
            Issue.record("batch \(batch): a damaged fsync'd batch with later batches after it was accepted")
        } catch let error {
            guard case let .corruptRecord(file, offset, _) = error else {
                Issue.record("batch \(batch): \(error)")
                return
            }
            #expect(file == written.segment && offset == lastEntryStart, "batch \(batch): \(error)")
            #expect(error.description.contains("offset \(lastEntryStart)"))
        }
        #expect(try Files.size(written.segment) == written.endOffset, "a refusal cuts nothing")
    }

    @Test func aLostPageInAnEarlierBatchFollowedByLaterBatchesIsRefused() throws {
        let written = try Self.writeLog()
        defer { written.directory.remove() }
        var bytes = try Files.read(written.segment)
        let victim = written.batchRanges[2]
        for position in victim.lowerBound..<victim.upperBound { bytes[position] = 0 }
        try Files.write(written.segment, bytes)
        #expect(throws: StorageError.self) {
            try WriteAheadLog.open(directory: written.directory.path)
        }
        #expect(try Files.read(written.segment) == bytes, "a refusal changes nothing")
    }
}
