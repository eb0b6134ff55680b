import Primitives
@testable import Storage
import Testing
import TestSupport

/// A bad record with a later batch after it cannot be a torn write (that
/// batch was written only once the bad one was fsync'd): recovery must
/// refuse to start and say where, never skip it.
struct CorruptionTests {
    @Test func flippedByteInAMiddleRecordOfTheLastSegmentIsRefusedNamingFileAndOffset() throws {
        let written = try TornTailTests.writeLog()
        defer { written.directory.remove() }
        let badStart = written.batchStarts[1]
        let recordStart = badStart + Fixtures.batchHeaderFrameBytes
        for offset in [badStart, badStart + 4, badStart + 8, badStart + 20, recordStart + 20, written.batchStarts[2] - 1] {
            let copy = try written.directory.copy()
            defer { copy.remove() }
            let segment = try copy.segmentPaths().last!
            try Files.flipByte(segment, at: offset)
            #expect(throws: StorageError.self, "flip at \(offset)") {
                try WriteAheadLog.open(directory: copy.path, segmentSizeBytes: Fixtures.smallSegmentBytes)
            }
            let badRecord = offset < recordStart ? badStart : recordStart
            #expect(try refusal(copy.path) == Refusal(file: segment, offset: badRecord), "flip at \(offset)")
        }
    }

    @Test func flippedByteInANonLastSegmentIsRefusedEvenAtItsEnd() throws {
        let written = try TornTailTests.writeLog()
        defer { written.directory.remove() }
        let segments = try written.directory.segmentPaths()
        try #require(segments.count >= 2)
        let victim = segments[segments.count - 2]
        let size = try Files.size(victim)
        try Files.flipByte(victim, at: size - 1)
        let found = try refusal(written.directory.path)
        #expect(found?.file == victim)
        #expect(found.map { $0.offset < size && $0.offset > 0 } == true)
    }

    @Test func truncatedNonLastSegmentIsRefusedNotTreatedAsATornTail() throws {
        let written = try TornTailTests.writeLog()
        defer { written.directory.remove() }
        let segments = try written.directory.segmentPaths()
        try #require(segments.count >= 2)
        let victim = segments[0]
        try Files.truncate(victim, toBytes: try Files.size(victim) - 3)
        #expect(try refusal(written.directory.path)?.file == victim)
        #expect(try Files.size(victim) > 0, "a refused open must not cut anything")
    }

    @Test func refusedOpenChangesNothingOnDiskEvenWithATornTail() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        var writer = BinaryWriter(byteOrder: .littleEndian)
        try WALRecord.segmentHeader(sequence: 1).append(to: &writer)
        writer.write(contentsOf: try WALBatch([.entry(Fixtures.entry(1, term: 1))]).encoded(sequence: 1))
        let gapOffset = writer.bytes.count + Fixtures.batchHeaderFrameBytes
        writer.write(contentsOf: try WALBatch([.entry(Fixtures.entry(3, term: 1))]).encoded(sequence: 2))
        let segment = directory.file("wal/wal-0000000000000001.log")
        try Files.makeDirectory(directory.file("wal"))
        try Files.write(segment, writer.bytes + [9, 0, 0])

        #expect(try refusal(directory.path) == Refusal(file: segment, offset: gapOffset))
        #expect(try Files.size(segment) == writer.bytes.count + 3, "the torn tail must still be there for forensics")
        #expect(try directory.segmentPaths() == [segment], "no new segment may be started")
    }

    @Test func anEntryOutOfSequenceInTheMiddleIsRefusedNamingFileAndOffset() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        var writer = BinaryWriter(byteOrder: .littleEndian)
        try WALRecord.segmentHeader(sequence: 1).append(to: &writer)
        writer.write(contentsOf: try WALBatch([.entry(Fixtures.entry(1, term: 1))]).encoded(sequence: 1))
        let gapOffset = writer.bytes.count + Fixtures.batchHeaderFrameBytes
        let outOfSequence = try WALBatch([.entry(Fixtures.entry(5, term: 1)), .entry(Fixtures.entry(6, term: 1))])
        writer.write(contentsOf: try outOfSequence.encoded(sequence: 2))
        let segment = directory.file("wal/wal-0000000000000001.log")
        try Files.makeDirectory(directory.file("wal"))
        try Files.write(segment, writer.bytes)

        do {
            _ = try WriteAheadLog.open(directory: directory.path)
            Issue.record("a log with a gap in the middle opened")
        } catch let error {
            #expect(error == .corruptRecord(
                file: segment, offset: gapOffset,
                reason: "entry 5 where entry 2 was expected: a gap in the middle of the log"))
            #expect(error.description.contains(segment) && error.description.contains("offset \(gapOffset)"))
        }
    }

    @Test func refusalMessageNamesTheFileAndOffset() throws {
        let error = StorageError.corruptRecord(file: "/data/wal/wal-0000000000000003.log", offset: 812, reason: "checksum mismatch")
        #expect(error.description.contains("/data/wal/wal-0000000000000003.log"))
        #expect(error.description.contains("offset 812"))
    }

    struct Refusal: Equatable {
        var file: String
        var offset: Int
    }

    /// Where `open` refused with `corruptRecord`, or nil if it did not.
    private func refusal(_ directory: String) throws -> Refusal? {
        do {
            let (log, _) = try WriteAheadLog.open(directory: directory, segmentSizeBytes: Fixtures.smallSegmentBytes)
            log.close()
            return nil
        } catch let error {
            guard case let .corruptRecord(file, offset, _) = error else { throw error }
            return Refusal(file: file, offset: offset)
        }
    }
}
