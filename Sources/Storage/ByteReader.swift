/// Reads little-endian integers from a window of a buffer; every read returns
/// nil instead of running past the window's end.
struct ByteReader {
    private let bytes: [UInt8]
    private(set) var offset: Int
    let endOffset: Int

    init(_ bytes: [UInt8], range: Range<Int>) {
        precondition(range.lowerBound >= 0 && range.upperBound <= bytes.count, "reader window outside the buffer")
        self.bytes = bytes
        offset = range.lowerBound
        endOffset = range.upperBound
    }

    var remainingCount: Int { endOffset - offset }

    mutating func readUInt8() -> UInt8? {
        guard remainingCount >= 1 else { return nil }
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func readUInt32() -> UInt32? {
        guard let raw = readInteger(byteCount: 4) else { return nil }
        return UInt32(truncatingIfNeeded: raw)
    }

    mutating func readUInt64() -> UInt64? {
        readInteger(byteCount: 8)
    }

    mutating func readBytes(_ count: Int) -> [UInt8]? {
        guard count >= 0, remainingCount >= count else { return nil }
        defer { offset += count }
        return Array(bytes[offset..<offset + count])
    }

    mutating func readRemaining() -> [UInt8] {
        defer { offset = endOffset }
        return Array(bytes[offset..<endOffset])
    }

    private mutating func readInteger(byteCount: Int) -> UInt64? {
        guard remainingCount >= byteCount else { return nil }
        var value: UInt64 = 0
        for position in (0..<byteCount).reversed() {
            value = value << 8 | UInt64(bytes[offset + position])
        }
        offset += byteCount
        return value
    }
}
