/// Bytes waiting to be written on one connection, as a queue of chunks with a
/// read offset into the first. Small writes are coalesced so that one TLS
/// record and one syscall carry them.
struct OutboundQueue {
    private var chunks: [[UInt8]] = []
    private var headIndex = 0
    private var headOffset = 0
    private(set) var byteCount = 0

    static let coalesceLimitBytes = 16 * 1024

    var isEmpty: Bool { byteCount == 0 }

    mutating func append(_ bytes: some Collection<UInt8>) {
        guard !bytes.isEmpty else { return }
        byteCount += bytes.count
        let lastIndex = chunks.count - 1
        if lastIndex >= headIndex, !(lastIndex == headIndex && headOffset > 0),
           chunks[lastIndex].count + bytes.count <= Self.coalesceLimitBytes {
            chunks[lastIndex].append(contentsOf: bytes)
        } else {
            chunks.append(Array(bytes))
        }
    }

    /// Calls `body` with the unwritten part of the first chunk; it returns how many bytes it wrote.
    mutating func writeHead(_ body: (UnsafeRawBufferPointer) -> Int) -> Int {
        guard headIndex < chunks.count else { return 0 }
        let written = chunks[headIndex].withUnsafeBytes { whole in
            body(UnsafeRawBufferPointer(rebasing: whole[headOffset...]))
        }
        guard written > 0 else { return written }
        headOffset += written
        byteCount -= written
        if headOffset == chunks[headIndex].count {
            headIndex += 1
            headOffset = 0
            compactIfWorthwhile()
        }
        return written
    }

    mutating func removeAll() {
        chunks.removeAll()
        headIndex = 0
        headOffset = 0
        byteCount = 0
    }

    private mutating func compactIfWorthwhile() {
        if headIndex == chunks.count {
            chunks.removeAll(keepingCapacity: chunks.count <= 16)
            headIndex = 0
        } else if headIndex >= 32, headIndex * 2 >= chunks.count {
            chunks.removeFirst(headIndex)
            headIndex = 0
        }
    }
}
