/// A byte queue for incremental decoders: bytes are appended at the back and consumed from the
/// front. Consumed space is reclaimed in amortised linear time, never by shifting the array
/// once per read.
struct ReadBuffer: Sendable {
    /// How `readLine` ended.
    enum LineRead: Equatable, Sendable {
        /// A line without its CRLF; the line and its CRLF have been consumed.
        case line([UInt8])
        /// No line feed yet and the limit is not reached: append more bytes.
        case incomplete
        /// More than the allowed bytes arrived without a line feed.
        case tooLong
        /// A line feed arrived without the carriage return before it.
        case bareLineFeed
    }

    private var storage: [UInt8] = []
    private var readerIndex = 0
    /// Readable bytes already searched by `readLine` without finding a line feed, so a line
    /// that arrives one byte at a time is scanned once, not once per byte.
    private var lineSearchedBytes = 0

    var readableBytes: Int { storage.count - readerIndex }
    var isEmpty: Bool { readableBytes == 0 }

    mutating func append(_ bytes: some Collection<UInt8>) {
        reclaimConsumedSpace(incomingBytes: bytes.count)
        storage.append(contentsOf: bytes)
    }

    /// The byte `offset` positions after the read position.
    func byte(at offset: Int) -> UInt8 {
        precondition(offset >= 0 && offset < readableBytes, "read past the buffered bytes")
        return storage[readerIndex + offset]
    }

    mutating func read(_ count: Int) -> [UInt8] {
        precondition(count >= 0 && count <= readableBytes, "read past the buffered bytes")
        let bytes = Array(storage[readerIndex..<readerIndex + count])
        skip(count)
        return bytes
    }

    mutating func skip(_ count: Int) {
        precondition(count >= 0 && count <= readableBytes, "skipped past the buffered bytes")
        readerIndex += count
        lineSearchedBytes = max(0, lineSearchedBytes - count)
        if readerIndex == storage.count {
            storage.removeAll(keepingCapacity: true)
            readerIndex = 0
        }
    }

    /// Reads one line ending in CRLF whose content is at most `maximumBytes` long. A bare LF is
    /// reported rather than accepted: HTTP framing must not depend on lenient line endings,
    /// which is what request-smuggling attacks exploit.
    mutating func readLine(maximumBytes: Int) -> LineRead {
        let lineWithTerminatorMaximumBytes = min(max(0, maximumBytes), Int.max - 2) + 2
        let searchEnd = min(readableBytes, lineWithTerminatorMaximumBytes)
        var offset = lineSearchedBytes
        while offset < searchEnd {
            if storage[readerIndex + offset] == ASCII.lineFeed {
                guard offset > 0, storage[readerIndex + offset - 1] == ASCII.carriageReturn else {
                    return .bareLineFeed
                }
                let line = Array(storage[readerIndex..<readerIndex + offset - 1])
                skip(offset + 1)
                return .line(line)
            }
            offset += 1
        }
        lineSearchedBytes = offset
        return readableBytes >= lineWithTerminatorMaximumBytes ? .tooLong : .incomplete
    }

    /// Drops consumed bytes when they outnumber the live ones (each consumed byte pays for at
    /// most one move) or when the append would grow the storage anyway.
    private mutating func reclaimConsumedSpace(incomingBytes: Int) {
        guard readerIndex > 0 else { return }
        let wouldGrow = storage.count + incomingBytes > storage.capacity
        guard readerIndex >= readableBytes || wouldGrow else { return }
        storage.removeSubrange(0..<readerIndex)
        readerIndex = 0
    }
}
