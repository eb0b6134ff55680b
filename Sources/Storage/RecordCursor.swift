import Primitives

/// Reads records and batches at given offsets of one segment file for
/// `SegmentScan`: a frame that fails its bounds or checksum is reported, one
/// whose checksum matches but whose content is impossible is thrown as
/// `corruptRecord`.
struct RecordCursor {
    let bytes: [UInt8]
    let file: String

    /// One frame, decoded.
    enum Record {
        case valid(WALRecord, endOffset: Int)
        case invalid(reason: String)
    }

    /// One batch: whole, or the first thing wrong with it.
    enum Batch {
        case whole(sequence: UInt64, records: [SegmentScan.Located], endOffset: Int)
        case damaged(SegmentScan.Damage)
    }

    func record(at offset: Int) throws(StorageError) -> Record {
        switch RecordFrame.parse(bytes, at: offset) {
        case let .invalid(reason):
            return .invalid(reason: reason)
        case let .valid(type, payloadRange, endOffset):
            var payload = BinaryReader(bytes, range: payloadRange, byteOrder: .littleEndian)
            switch WALRecord.decode(type: type, payload: &payload) {
            case let .failure(failure):
                throw .corruptRecord(file: file, offset: offset, reason: failure.reason)
            case let .success(record):
                return .valid(record, endOffset: endOffset)
            }
        }
    }

    /// The batch at `offset`: its header, then exactly the records and
    /// bytes the header promises.
    func batch(at offset: Int, expectedSequence: UInt64?) throws(StorageError) -> Batch {
        let header: WALBatch.Header
        switch try record(at: offset) {
        case let .invalid(reason):
            return .damaged(SegmentScan.Damage(
                batchOffset: offset, recordOffset: offset, reason: "batch header: \(reason)", recordCount: 0,
                laterBatchSearchOffset: offset + 1, expectedSequence: expectedSequence))
        case let .valid(.batchHeader(found), _):
            header = found
        case let .valid(other, _):
            throw .corruptRecord(file: file, offset: offset, reason: "a \(other.kind) record where a batch header belongs")
        }
        try check(header, at: offset, expectedSequence: expectedSequence)
        let endOffset = offset + WALBatch.headerRecordBytes + Int(header.recordBytes)
        var records: [SegmentScan.Located] = []
        var recordOffset = offset + WALBatch.headerRecordBytes
        while recordOffset < endOffset {
            guard records.count < Int(header.recordCount) else {
                let reason = "batch \(header.sequence) holds more than the \(header.recordCount) records its header promises"
                throw .corruptRecord(file: file, offset: recordOffset, reason: reason)
            }
            switch try record(at: recordOffset) {
            case let .invalid(reason):
                let position = "record \(records.count + 1) of the \(header.recordCount) in batch \(header.sequence)"
                return .damaged(SegmentScan.Damage(
                    batchOffset: offset, recordOffset: recordOffset, reason: "\(position): \(reason)",
                    recordCount: Int(header.recordCount), laterBatchSearchOffset: offset + WALBatch.headerRecordBytes,
                    expectedSequence: expectedSequence))
            case let .valid(record, recordEnd):
                try checkMember(record, at: recordOffset, endOffset: recordEnd, batchEndOffset: endOffset)
                records.append(SegmentScan.Located(offset: recordOffset, record: record))
                recordOffset = recordEnd
            }
        }
        guard records.count == Int(header.recordCount) else {
            let reason = "batch \(header.sequence) holds \(records.count) records, its header promises \(header.recordCount)"
            throw .corruptRecord(file: file, offset: offset, reason: reason)
        }
        return .whole(sequence: header.sequence, records: records, endOffset: endOffset)
    }

    /// A checksummed header must be in sequence and describe a batch the
    /// writer could have written.
    private func check(_ header: WALBatch.Header, at offset: Int, expectedSequence: UInt64?) throws(StorageError) {
        // No writer gets there (a batch per fsync), and the batch after it would have no sequence.
        guard header.sequence < .max else {
            throw .corruptRecord(file: file, offset: offset, reason: "batch sequence \(header.sequence) is past any a writer reaches")
        }
        if let expectedSequence, header.sequence != expectedSequence {
            let reason = "batch \(header.sequence) where batch \(expectedSequence) was expected: a batch out of sequence"
            throw .corruptRecord(file: file, offset: offset, reason: reason)
        }
        let recordBytes = Int(header.recordBytes)
        guard header.recordCount >= 1, recordBytes <= WALBatch.recordBytesMaximum,
              Int(header.recordCount) * WALBatch.recordBytesMinimum <= recordBytes else {
            let reason = "batch \(header.sequence) has an impossible header (\(header.recordCount) records in \(recordBytes) bytes)"
            throw .corruptRecord(file: file, offset: offset, reason: reason)
        }
    }

    /// Only entries, hard states and snapshot markers belong in a batch, and
    /// none may run past its end.
    private func checkMember(_ record: WALRecord, at offset: Int, endOffset: Int, batchEndOffset: Int) throws(StorageError) {
        switch record {
        case .entry, .hardState, .snapshotMarker:
            guard endOffset <= batchEndOffset else {
                throw .corruptRecord(file: file, offset: offset, reason: "record runs past the end of its batch")
            }
        case .segmentHeader, .batchHeader:
            throw .corruptRecord(file: file, offset: offset, reason: "a \(record.kind) record inside a batch")
        }
    }
}
