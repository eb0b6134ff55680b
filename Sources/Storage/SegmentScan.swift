/// The records of one segment file up to its first bad frame, and the tools
/// recovery uses to decide whether that bad frame is a torn tail.
struct SegmentScan {
    /// A decoded record and the offset its frame starts at.
    struct Located {
        var offset: Int
        var record: WALRecord
    }

    /// The first frame that failed its bounds or checksum.
    struct BadFrame {
        var offset: Int
        var reason: String
    }

    /// What lies after a bad frame.
    enum Following {
        case nothingValid
        case validRecord(offset: Int)
        case searchBudgetExhausted(offset: Int)
    }

    /// Checksum work spent looking for a valid record after a bad one before
    /// giving up and treating the bad one as corruption (the safe answer).
    static let followingSearchBudgetBytes = 256 << 20

    var records: [Located] = []
    /// nil when every byte of the file parsed.
    var badFrame: BadFrame?

    /// Parses `bytes` frame by frame. A frame with a valid checksum whose
    /// payload does not decode is thrown as corruption at once: it was written
    /// whole, so it cannot be a torn write.
    static func scan(_ bytes: [UInt8], file: String) throws(StorageError) -> SegmentScan {
        var scan = SegmentScan()
        var offset = 0
        var spent = 0
        while offset < bytes.count {
            switch RecordFrame.parse(bytes, at: offset, checksumBytesSpent: &spent) {
            case let .invalid(reason):
                scan.badFrame = BadFrame(offset: offset, reason: reason)
                return scan
            case let .valid(type, payloadRange, endOffset):
                var payload = ByteReader(bytes, range: payloadRange)
                switch WALRecord.decode(type: type, payload: &payload) {
                case let .failure(failure):
                    throw .corruptRecord(file: file, offset: offset, reason: failure.reason)
                case let .success(record):
                    scan.records.append(Located(offset: offset, record: record))
                }
                assert(endOffset > offset, "a frame must advance the scan")
                offset = endOffset
            }
        }
        return scan
    }

    /// Looks for a frame with a sane length and a matching checksum at any
    /// offset after `badOffset`. Finding one means the bad frame has valid data
    /// after it, so it is not a torn tail.
    static func following(_ badOffset: Int, in bytes: [UInt8]) -> Following {
        var spent = 0
        var candidate = badOffset + 1
        while candidate + RecordFrame.headerBytes < bytes.count {
            if case .valid = RecordFrame.parse(bytes, at: candidate, checksumBytesSpent: &spent) {
                return .validRecord(offset: candidate)
            }
            if spent > followingSearchBudgetBytes { return .searchBudgetExhausted(offset: candidate) }
            candidate += 1
        }
        return .nothingValid
    }
}
