import Primitives

/// The whole batches of one segment file, up to the first batch that is not
/// whole, and the search recovery uses to decide whether that batch is a
/// torn tail. Records whose checksum matches but whose content cannot be
/// right (an unknown type, a batch header that disagrees with its records, a
/// batch out of sequence) were written whole, so they are thrown as
/// corruption at once.
struct SegmentScan {
    /// A decoded record and the offset its frame starts at.
    struct Located {
        var offset: Int
        var record: WALRecord
    }

    /// The first batch (or segment header) that is not whole.
    struct Damage {
        /// Where the batch begins: where the file is cut if it is a torn tail.
        var batchOffset: Int
        /// Its first bad frame, the offset a refusal names.
        var recordOffset: Int
        var reason: String
        /// The records its header says it holds (0 when the header is lost).
        var recordCount: Int
        /// The first offset where a later batch's header could begin.
        var laterBatchSearchOffset: Int
        /// The sequence this batch should carry, when known.
        var expectedSequence: UInt64?
    }

    /// The segment header, then the records of each whole batch in file
    /// order (batch headers left out).
    var records: [Located] = []
    /// The sequence the next batch must carry; nil while nothing fixes it
    /// (the segments before this one were compacted away).
    var nextBatchSequence: UInt64?
    /// nil when every byte of the file belongs to a whole batch.
    var damage: Damage?

    /// Parses `bytes`: the segment header, then batch after batch, each
    /// expected to carry the sequence after the one before it.
    static func scan(_ bytes: [UInt8], file: String, nextBatchSequence: UInt64?) throws(StorageError) -> SegmentScan {
        var scan = SegmentScan(nextBatchSequence: nextBatchSequence)
        let cursor = RecordCursor(bytes: bytes, file: file)
        switch try cursor.record(at: 0) {
        case let .invalid(reason):
            scan.damage = Damage(batchOffset: 0, recordOffset: 0, reason: reason, recordCount: 0,
                                 laterBatchSearchOffset: 1, expectedSequence: nextBatchSequence)
            return scan
        case let .valid(header, endOffset):
            scan.records.append(Located(offset: 0, record: header))
            var offset = endOffset
            while offset < bytes.count {
                switch try cursor.batch(at: offset, expectedSequence: scan.nextBatchSequence) {
                case let .whole(sequence, records, endOffset):
                    assert(endOffset > offset, "a whole batch must advance the scan")
                    scan.records += records
                    scan.nextBatchSequence = sequence + 1
                    offset = endOffset
                case var .damaged(damage):
                    damage.expectedSequence = scan.nextBatchSequence
                    scan.damage = damage
                    return scan
                }
            }
            return scan
        }
    }

    /// Where the first batch header with a valid checksum lies at or after
    /// `offset`, other than one carrying `ownSequence` (the damaged batch's
    /// own); nil if there is none. Finding one means a later batch was
    /// written after the damaged one, which happens only once the damaged
    /// one was fsync'd. The loop is bounded by the file, itself bounded by
    /// `LogWriter.segmentFileMaximumBytes`; checksums are computed only
    /// where a batch header's fixed length and type stand.
    static func laterBatch(from offset: Int, in bytes: [UInt8], ownSequence: UInt64?) -> (offset: Int, sequence: UInt64)? {
        let headerLength = UInt32(1 + WALRecord.batchHeaderPayloadBytes)
        var candidate = offset
        while candidate + WALBatch.headerRecordBytes <= bytes.count {
            defer { candidate += 1 }
            guard bytes[candidate + RecordFrame.headerBytes] == WALRecord.Kind.batchHeader.rawValue else { continue }
            var prefix = BinaryReader(bytes, range: candidate..<candidate + 4, byteOrder: .littleEndian)
            let sequence: UInt64
            do {
                guard try prefix.readUInt32() == headerLength,
                      case let .valid(_, payloadRange, _) = RecordFrame.parse(bytes, at: candidate)
                else { continue }
                var payload = BinaryReader(bytes, range: payloadRange, byteOrder: .littleEndian)
                sequence = try payload.readUInt64()
            } catch {
                continue // a read past its window, as a nil read was: not a batch header
            }
            guard sequence != ownSequence else { continue }
            return (candidate, sequence)
        }
        return nil
    }
}
