@testable import Storage
import Testing
import TestSupport

/// The on-disk formats byte for byte: a segment header, a batch holding every kind of batched
/// record, a snapshot file and a checksummed file, written out by hand (little-endian, CRC-32C)
/// rather than by the code under test, and the refusals of payloads whose checksum matches but
/// whose shape does not. Data directories written by earlier releases must keep reading.
struct GoldenBytesTests {
    /// `length 13 | crc | type 1 | version 2: u32 | sequence 7: u64`.
    static let segmentHeader: [UInt8] = [
        0x0D, 0x00, 0x00, 0x00, 0xE5, 0x30, 0x33, 0x14, 0x01, 0x02, 0x00, 0x00, 0x00, 0x07, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00,
    ]
    /// Batch 9 (3 records in 88 bytes): entry 42 at term 3 of kind 9 with 4 data bytes, hard
    /// state (term 5, vote 2, commit 40), snapshot marker (index 30, term 4).
    static let batch: [UInt8] = [
        0x11, 0x00, 0x00, 0x00, 0xB7, 0x50, 0x5D, 0xEB, 0x05, 0x09, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x03, 0x00, 0x00, 0x00, 0x58, 0x00, 0x00, 0x00, 0x16, 0x00, 0x00, 0x00, 0x75, 0x64, 0x04,
        0x49, 0x02, 0x2A, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x09, 0xDE, 0xAD, 0xBE, 0xEF, 0x19, 0x00, 0x00, 0x00, 0x3D, 0xCA, 0x8B, 0x99, 0x03,
        0x05, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x28, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x11, 0x00, 0x00, 0x00, 0x77, 0xE0, 0xBC, 0x39,
        0x04, 0x1E, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00,
    ]
    static let batchRecords: [WALRecord] = [
        .entry(LogEntryRecord(index: 42, term: 3, kind: 9, data: [0xDE, 0xAD, 0xBE, 0xEF])),
        .hardState(HardStateRecord(term: 5, votedFor: 2, commitIndex: 40)),
        .snapshotMarker(index: 30, term: 4),
    ]
    /// Magic, body length 28: u64, body CRC, then index 40, term 3, a 3-byte configuration and "state".
    static let snapshotFile: [UInt8] = [
        0x48, 0x53, 0x53, 0x4E, 0x41, 0x50, 0x30, 0x31, 0x1C, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0xB8, 0x74, 0x86, 0x7A, 0x28, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01, 0x02, 0x03, 0x73, 0x74, 0x61, 0x74, 0x65,
    ]
    static let snapshot = SnapshotRecord(index: 40, term: 3, configuration: [1, 2, 3], data: Array("state".utf8))
    /// One record of type 1 holding "members".
    static let checksummedFile: [UInt8] = [
        0x08, 0x00, 0x00, 0x00, 0x88, 0x2D, 0x47, 0xC2, 0x01, 0x6D, 0x65, 0x6D, 0x62, 0x65, 0x72, 0x73,
    ]

    /// A record frame around `payload`, built without the code under test.
    static func frame(type: UInt8, payload: [UInt8]) -> [UInt8] {
        let checked = [type] + payload
        return u32(UInt32(checked.count)) + u32(CRC32C.checksum(checked)) + checked
    }

    static func u32(_ value: UInt32) -> [UInt8] {
        (0..<4).map { UInt8(truncatingIfNeeded: value >> ($0 * 8)) }
    }

    static func u64(_ value: UInt64) -> [UInt8] {
        (0..<8).map { UInt8(truncatingIfNeeded: value >> ($0 * 8)) }
    }

    @Test func segmentHeaderAndBatchEncodeToTheirPinnedBytes() throws {
        #expect(try WALBatch([.segmentHeader(sequence: 7)]).recordBytes == Self.segmentHeader)
        #expect(try WALBatch(Self.batchRecords).encoded(sequence: 9) == Self.batch)
    }

    @Test func pinnedSegmentDecodesToItsRecords() throws {
        let scan = try SegmentScan.scan(Self.segmentHeader + Self.batch, file: "golden", nextBatchSequence: 9)
        #expect(scan.damage == nil)
        #expect(scan.records.map(\.record) == [.segmentHeader(sequence: 7)] + Self.batchRecords)
        #expect(scan.records.map(\.offset) == [0, 46, 76, 109])
        #expect(scan.nextBatchSequence == 10)
        let later = SegmentScan.laterBatch(from: 1, in: Self.segmentHeader + Self.batch, ownSequence: nil)
        #expect(later?.offset == 21 && later?.sequence == 9)
    }

    @Test func everyTornPrefixOfThePinnedBatchIsDamageNotCorruption() throws {
        let segment = Self.segmentHeader + Self.batch
        for cut in (Self.segmentHeader.count + 1)..<segment.count {
            let scan = try SegmentScan.scan(Array(segment[..<cut]), file: "golden", nextBatchSequence: 9)
            #expect(scan.records.map(\.record) == [.segmentHeader(sequence: 7)], "cut at \(cut)")
            #expect(scan.damage?.batchOffset == Self.segmentHeader.count, "cut at \(cut)")
        }
    }

    @Test func checksummedPayloadsOfTheWrongShapeAreRefusedWithTheirReasons() {
        let cases: [(type: UInt8, payload: [UInt8], reason: String)] = [
            (1, Self.u32(2) + [7, 0, 0], "segmentHeader record has a malformed 7-byte payload"),
            (1, [2, 0, 0], "segmentHeader record has a malformed 3-byte payload"),
            (1, Self.u32(3) + Self.u64(1), "segment is format version 3, not 2 (written by a newer version?)"),
            (2, Self.u64(1) + Self.u64(1), "entry record has a malformed 16-byte payload"),
            (3, Self.u64(1) + Self.u64(1) + Self.u64(1) + [0], "hardState record has a malformed 25-byte payload"),
            (4, Self.u64(1), "snapshotMarker record has a malformed 8-byte payload"),
            (5, Self.u64(1) + Self.u32(1), "batchHeader record has a malformed 12-byte payload"),
            (6, [], "unknown record type 6 (written by a newer version?)"),
        ]
        for (type, payload, reason) in cases {
            #expect(throws: StorageError.corruptRecord(file: "golden", offset: 0, reason: reason)) {
                _ = try RecordCursor(bytes: Self.frame(type: type, payload: payload), file: "golden").record(at: 0)
            }
        }
    }

    @Test func snapshotFileEncodesToItsPinnedBytesAndDecodes() throws {
        #expect(try SnapshotFile.encode(Self.snapshot) == Self.snapshotFile)
        guard case let .success(decoded) = SnapshotFile.decode(Self.snapshotFile, expectedIndex: 40) else {
            Issue.record("the pinned snapshot file did not decode")
            return
        }
        #expect(decoded == Self.snapshot)
    }

    @Test func snapshotBodiesOfTheWrongShapeAreMalformed() {
        let bodies: [[UInt8]] = [
            Self.u64(40) + Self.u64(3) + Self.u32(4) + [1, 2, 3],
            Self.u64(40) + Self.u64(3) + [0, 0, 0],
            Self.u64(40),
        ]
        for body in bodies {
            let file = Array("HSSNAP01".utf8) + Self.u64(UInt64(body.count)) + Self.u32(CRC32C.checksum(body)) + body
            guard case let .failure(failure) = SnapshotFile.decode(file, expectedIndex: 40) else {
                Issue.record("a malformed body of \(body.count) bytes decoded")
                continue
            }
            #expect(failure.reason == "body is malformed")
        }
    }

    @Test func checksummedFileIsOneRecordFrame() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("members")
        try ChecksummedFile.write(Array("members".utf8), to: path)
        #expect(try Files.read(path) == Self.checksummedFile)
        #expect(try ChecksummedFile.read(path) == Array("members".utf8))
    }
}
