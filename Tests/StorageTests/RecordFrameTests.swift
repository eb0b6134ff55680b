import Primitives
@testable import Storage
import Testing

struct RecordFrameTests {
    @Test func everyRecordKindDecodesToWhatWasEncoded() throws {
        let batched: [WALRecord] = [
            .entry(Fixtures.entry(42, term: 3, dataBytes: 100)),
            .entry(LogEntryRecord(index: 1, term: 1, kind: 9, data: [])),
            .hardState(HardStateRecord(term: 5, votedFor: 2, commitIndex: 40)),
            .snapshotMarker(index: 30, term: 4),
        ]
        var writer = BinaryWriter(byteOrder: .littleEndian)
        try WALRecord.segmentHeader(sequence: 7).append(to: &writer)
        writer.write(contentsOf: try WALBatch(batched).encoded(sequence: 9))
        let scan = try SegmentScan.scan(writer.bytes, file: "memory", nextBatchSequence: 9)
        #expect(scan.damage == nil)
        #expect(scan.records.map(\.record) == [.segmentHeader(sequence: 7)] + batched)
        #expect(scan.records.last?.offset == writer.bytes.count - Fixtures.frameHeaderBytes - 1 - 16)
        #expect(scan.nextBatchSequence == 10)
    }

    @Test func batchHeaderLayoutIsSequenceThenRecordCountThenRecordBytes() throws {
        let batch = try WALBatch([.snapshotMarker(index: 1, term: 2), .hardState(HardStateRecord(term: 2, votedFor: 0, commitIndex: 1))])
        let bytes = try batch.encoded(sequence: 0x0102)
        #expect(bytes.count == Fixtures.batchHeaderFrameBytes + 25 + Fixtures.hardStateFrameBytes)
        #expect(Array(bytes[0..<4]) == [17, 0, 0, 0])
        #expect(bytes[8] == WALRecord.Kind.batchHeader.rawValue)
        #expect(Array(bytes[9..<25]) == [2, 1, 0, 0, 0, 0, 0, 0] + [2, 0, 0, 0] + [58, 0, 0, 0])
    }

    @Test func frameLayoutIsLengthThenChecksumThenTypeThenPayload() throws {
        var writer = BinaryWriter(byteOrder: .littleEndian)
        try WALRecord.snapshotMarker(index: 1, term: 2).append(to: &writer)
        let bytes = writer.bytes
        #expect(bytes.count == Fixtures.frameHeaderBytes + 1 + 16)
        #expect(Array(bytes[0..<4]) == [17, 0, 0, 0])
        let stored = bytes[4..<8].reversed().reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        #expect(stored == CRC32C.checksum(bytes, 8..<bytes.count))
        #expect(bytes[8] == WALRecord.Kind.snapshotMarker.rawValue)
        #expect(Array(bytes[9..<17]) == [1, 0, 0, 0, 0, 0, 0, 0])
    }

    @Test func oversizedRecordIsRefusedOnWrite() {
        let data = [UInt8](repeating: 1, count: RecordFrame.recordSizeMaximumBytes)
        var writer = BinaryWriter(byteOrder: .littleEndian)
        let maximum = RecordFrame.recordSizeMaximumBytes
        #expect(throws: StorageError.recordTooLarge(bytes: maximum + 18, maximumBytes: maximum)) {
            try WALRecord.entry(LogEntryRecord(index: 1, term: 1, kind: 0, data: data)).append(to: &writer)
        }
        #expect(writer.bytes.isEmpty)
    }

    @Test func lengthAboveTheMaximumIsABadFrameOnRead() {
        var bytes: [UInt8] = [0, 0, 0, 0x02, 0, 0, 0, 0, 2]
        bytes += [UInt8](repeating: 0, count: 64)
        guard case let .invalid(reason) = RecordFrame.parse(bytes, at: 0) else {
            Issue.record("a 32 MiB length was accepted")
            return
        }
        #expect(reason.contains("outside"))
    }

    /// Found by the wal-segment fuzzer: a checksum-valid batch carrying the largest sequence
    /// trapped the scan computing the next one.
    @Test func aBatchCarryingTheLargestSequenceIsCorruptionNotATrap() throws {
        var writer = BinaryWriter(byteOrder: .littleEndian)
        try WALRecord.segmentHeader(sequence: 1).append(to: &writer)
        let offset = writer.bytes.count
        writer.write(contentsOf: try WALBatch([.snapshotMarker(index: 1, term: 1)]).encoded(sequence: .max))
        #expect(throws: StorageError.corruptRecord(file: "f", offset: offset,
                                                   reason: "batch sequence \(UInt64.max) is past any a writer reaches")) {
            try SegmentScan.scan(writer.bytes, file: "f", nextBatchSequence: nil)
        }
    }

    /// The same for log indices: an entry or snapshot marker at the largest index left the
    /// replay computing the index after it (and trapping) on the next entry.
    @Test func anEntryOrMarkerAtTheLargestIndexIsCorruptionNotATrap() throws {
        let reason = "index \(UInt64.max) is past any a writer reaches"
        let sequences: [[WALRecord]] = [
            [.entry(LogEntryRecord(index: .max, term: 1, kind: 0, data: [])), .entry(Fixtures.entry(5, term: 1, dataBytes: 1))],
            [.entry(Fixtures.entry(1, term: 1, dataBytes: 1)), .snapshotMarker(index: .max, term: 1),
             .entry(Fixtures.entry(2, term: 1, dataBytes: 1))],
        ]
        for records in sequences {
            var replay = LogReplay()
            let refusedAt = records.firstIndex { $0 == .entry(LogEntryRecord(index: .max, term: 1, kind: 0, data: []))
                || $0 == .snapshotMarker(index: .max, term: 1) }!
            #expect(throws: StorageError.corruptRecord(file: "f", offset: refusedAt, reason: reason)) {
                for (offset, record) in records.enumerated() { try replay.apply(record, file: "f", offset: offset) }
            }
        }
    }

    @Test func checksumValidPayloadOfTheWrongShapeIsCorruptionNotATornTail() throws {
        var writer = BinaryWriter(byteOrder: .littleEndian)
        try RecordFrame.append(type: WALRecord.Kind.hardState.rawValue, payloadBytes: 3, to: &writer) { $0.write(contentsOf: [1, 2, 3]) }
        #expect(throws: StorageError.corruptRecord(file: "f", offset: 0, reason: "hardState record has a malformed 3-byte payload")) {
            try SegmentScan.scan(writer.bytes, file: "f", nextBatchSequence: nil)
        }
    }
}
