import Storage
import Testing
import TestSupport

/// A crash can tear only what was being written when it struck: the final
/// batch, at the end of the last segment. Recovery must keep exactly the
/// batches that were whole.
struct TornTailTests {
    /// The log every case starts from, and where its last three records lie.
    struct Written {
        let directory: TemporaryDirectory
        let lastSegment: String
        /// Entries 1...n-2, then batches of entry n-1, hard state `latest`, entry n.
        let entriesBeforeTail: [LogEntryRecord]
        let tailEntries: (LogEntryRecord, LogEntryRecord)
        let earlierHardState: HardStateRecord
        let latestHardState: HardStateRecord
        /// Start offsets of the last three batches, and the file's end.
        let batchStarts: [Int]
        let endOffset: Int
    }

    /// Entries written before the last three batches: as many as leave those
    /// three together in the last of several 1 KiB segments.
    static let entriesBeforeTail: UInt64 = 44

    static func writeLog() throws -> Written {
        let directory = TemporaryDirectory()
        let (log, _) = try WriteAheadLog.open(directory: directory.path, segmentSizeBytes: Fixtures.smallSegmentBytes)
        let earlier = HardStateRecord(term: 2, votedFor: 1, commitIndex: 20)
        var before: [LogEntryRecord] = []
        for index in UInt64(1)...entriesBeforeTail {
            let entry = Fixtures.entry(index, term: 2, dataBytes: 10 + Int(index % 5))
            before.append(entry)
            try log.append(entries: [entry], hardState: index == 30 ? earlier : nil)
        }
        let penultimate = Fixtures.entry(entriesBeforeTail + 1, term: 2, dataBytes: 31)
        let latest = HardStateRecord(term: 3, votedFor: 0, commitIndex: entriesBeforeTail)
        let last = Fixtures.entry(entriesBeforeTail + 2, term: 3, dataBytes: 19)
        try log.append(entries: [penultimate], hardState: nil)
        try log.append(entries: [], hardState: latest)
        try log.append(entries: [last], hardState: nil)
        log.close()

        let segments = try directory.segmentPaths()
        let lastSegment = segments.last!
        let endOffset = try Files.size(lastSegment)
        let sizes = [Fixtures.entryFrameBytes(dataBytes: 31), Fixtures.hardStateFrameBytes, Fixtures.entryFrameBytes(dataBytes: 19)]
            .map { Fixtures.batchHeaderFrameBytes + $0 }
        let firstStart = endOffset - sizes.reduce(0, +)
        #expect(firstStart > Fixtures.segmentHeaderFrameBytes, "the last three records must share the last segment after its header")
        let starts = [firstStart, firstStart + sizes[0], firstStart + sizes[0] + sizes[1]]
        return Written(
            directory: directory, lastSegment: lastSegment, entriesBeforeTail: before,
            tailEntries: (penultimate, last), earlierHardState: earlier, latestHardState: latest,
            batchStarts: starts, endOffset: endOffset
        )
    }

    @Test func truncationAtEveryByteOfTheLastThreeBatchesKeepsExactlyTheWholeOnes() throws {
        let written = try Self.writeLog()
        defer { written.directory.remove() }
        let boundaries = written.batchStarts + [written.endOffset]
        for cut in written.batchStarts[0]...written.endOffset {
            let copy = try written.directory.copy()
            defer { copy.remove() }
            try Files.truncate(copy.file("wal/" + lastComponent(written.lastSegment)), toBytes: cut)

            let (log, recovered) = try WriteAheadLog.open(directory: copy.path, segmentSizeBytes: Fixtures.smallSegmentBytes)
            log.close()
            let wholeRecords = boundaries.dropFirst().filter { $0 <= cut }.count
            var expected = written.entriesBeforeTail
            if wholeRecords >= 1 { expected.append(written.tailEntries.0) }
            if wholeRecords >= 3 { expected.append(written.tailEntries.1) }
            let torn = cut - boundaries[wholeRecords]
            #expect(recovered.entries == expected, "cut at \(cut)")
            #expect(recovered.hardState == (wholeRecords >= 2 ? written.latestHardState : written.earlierHardState), "cut at \(cut)")
            #expect(recovered.truncatedTailBytes == torn, "cut at \(cut)")
            #expect(try Files.size(copy.file("wal/" + lastComponent(written.lastSegment))) == boundaries[wholeRecords], "cut at \(cut)")
        }
    }

    @Test func flippedByteAnywhereInTheLastBatchDropsItAsATornTail() throws {
        let written = try Self.writeLog()
        defer { written.directory.remove() }
        let lastStart = written.batchStarts[2]
        for offset in lastStart..<written.endOffset {
            let copy = try written.directory.copy()
            defer { copy.remove() }
            try Files.flipByte(copy.file("wal/" + lastComponent(written.lastSegment)), at: offset)

            let (log, recovered) = try WriteAheadLog.open(directory: copy.path, segmentSizeBytes: Fixtures.smallSegmentBytes)
            log.close()
            #expect(recovered.entries == written.entriesBeforeTail + [written.tailEntries.0], "flip at \(offset)")
            #expect(recovered.hardState == written.latestHardState, "flip at \(offset)")
            #expect(recovered.truncatedTailBytes == written.endOffset - lastStart, "flip at \(offset)")
        }
    }

    @Test func appendsAfterRecoveringATornTailContinueFromTheIntactPrefix() throws {
        let written = try Self.writeLog()
        defer { written.directory.remove() }
        try Files.truncate(written.lastSegment, toBytes: written.batchStarts[2] + 5)
        let (log, recovered) = try WriteAheadLog.open(directory: written.directory.path, segmentSizeBytes: Fixtures.smallSegmentBytes)
        #expect(recovered.truncatedTailBytes == 5)
        #expect(log.lastIndex == written.tailEntries.0.index)
        let replacement = Fixtures.entry(written.tailEntries.1.index, term: 4, dataBytes: 3)
        try log.append(entries: [replacement], hardState: nil)
        log.close()

        let (reopened, again) = try WriteAheadLog.open(directory: written.directory.path, segmentSizeBytes: Fixtures.smallSegmentBytes)
        reopened.close()
        #expect(again.entries == written.entriesBeforeTail + [written.tailEntries.0, replacement])
        #expect(again.truncatedTailBytes == 0)
    }

    @Test func segmentTornWhileBeingCreatedIsRemovedAndItsSequenceReused() throws {
        let written = try Self.writeLog()
        defer { written.directory.remove() }
        let segments = try written.directory.segmentPaths()
        let partialHeader = Array(try Files.read(segments[0]).prefix(10))
        let next = written.directory.file("wal/wal-" + hex16(UInt64(segments.count + 1)) + ".log")
        try Files.write(next, partialHeader)

        let (log, recovered) = try WriteAheadLog.open(directory: written.directory.path, segmentSizeBytes: Fixtures.smallSegmentBytes)
        log.close()
        #expect(recovered.truncatedTailBytes == partialHeader.count)
        #expect(recovered.entries == written.entriesBeforeTail + [written.tailEntries.0, written.tailEntries.1])
        #expect(try written.directory.segmentPaths() == segments + [next], "the torn file is replaced by a fresh segment of that sequence")
        #expect(try Files.size(next) > partialHeader.count)
    }

    private func hex16(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }

    private func lastComponent(_ path: String) -> String {
        String(path.split(separator: "/").last!)
    }
}
