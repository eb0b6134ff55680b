import Primitives

/// The records of one write, framed as a unit: a batch header naming the
/// batch's sequence number, how many records follow and their bytes, then
/// those records. Each batch is written with one `pwrite` sequence and
/// fdatasync'd before the next is written, so a crash can leave at most the
/// final batch incomplete, and recovery drops an incomplete batch whole.
struct WALBatch {
    /// The batch header record's payload.
    struct Header: Equatable {
        /// Consecutive across the whole log, from 1.
        var sequence: UInt64
        var recordCount: UInt32
        /// Bytes of the records after the header (their frames included).
        var recordBytes: UInt32
    }

    /// The bytes of a batch header record (frame, type and payload).
    static let headerRecordBytes = RecordFrame.headerBytes + 1 + WALRecord.batchHeaderPayloadBytes
    /// The most record bytes one batch may hold, so a segment never outgrows
    /// its size setting by more than one batch.
    static let recordBytesMaximum = 64 << 20
    /// The smallest record frame (type byte, empty payload): bounds `recordCount`.
    static let recordBytesMinimum = RecordFrame.headerBytes + 1

    let recordCount: Int
    /// The records' frames, back to back.
    let recordBytes: [UInt8]

    /// Frames `records`; refuses a batch over `recordBytesMaximum`.
    init(_ records: [WALRecord]) throws(StorageError) {
        precondition(!records.isEmpty, "a batch holds at least one record")
        var writer = BinaryWriter(byteOrder: .littleEndian, reservingCapacity: 0)
        for record in records { try record.append(to: &writer) }
        guard writer.bytes.count <= Self.recordBytesMaximum else {
            throw .batchTooLarge(bytes: writer.bytes.count, maximumBytes: Self.recordBytesMaximum)
        }
        recordCount = records.count
        recordBytes = writer.bytes
    }

    /// The batch as written: its header with `sequence`, then the records.
    func encoded(sequence: UInt64) throws(StorageError) -> [UInt8] {
        let header = Header(sequence: sequence, recordCount: UInt32(recordCount), recordBytes: UInt32(recordBytes.count))
        var writer = BinaryWriter(byteOrder: .littleEndian, reservingCapacity: Self.headerRecordBytes + recordBytes.count)
        try WALRecord.batchHeader(header).append(to: &writer)
        writer.write(contentsOf: recordBytes)
        assert(writer.bytes.count == Self.headerRecordBytes + recordBytes.count, "a batch is its header and its records")
        return writer.bytes
    }
}
