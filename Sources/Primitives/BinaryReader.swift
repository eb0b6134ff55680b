/// Reads what `BinaryWriter` wrote, in the byte order chosen when it is made (big-endian unless
/// told), from a whole buffer or a window of one. It refuses to read past the window's end and
/// any length field over the caller's bound, so hostile bytes cannot make it allocate. Offsets,
/// in errors too, count from the start of the buffer.
public struct BinaryReader: Sendable {
    private let bytes: [UInt8]
    public let byteOrder: ByteOrder
    public private(set) var offset: Int
    /// Where the window ends: no read goes past it.
    public let endOffset: Int

    public init(_ bytes: [UInt8], byteOrder: ByteOrder = .bigEndian) {
        self.init(bytes, range: 0..<bytes.count, byteOrder: byteOrder)
    }

    /// Reads `bytes[range]` only; traps unless `range` lies inside `bytes`.
    public init(_ bytes: [UInt8], range: Range<Int>, byteOrder: ByteOrder = .bigEndian) {
        precondition(range.lowerBound >= 0 && range.upperBound <= bytes.count, "reader window outside the buffer")
        self.bytes = bytes
        self.byteOrder = byteOrder
        offset = range.lowerBound
        endOffset = range.upperBound
    }

    public var isAtEnd: Bool { offset == endOffset }
    public var remainingBytes: Int { endOffset - offset }

    public mutating func readUInt8() throws(BinaryDecodingError) -> UInt8 {
        guard remainingBytes >= 1 else { throw .truncated(offset: offset) }
        defer { offset += 1 }
        return bytes[offset]
    }

    public mutating func readBool() throws(BinaryDecodingError) -> Bool {
        switch try readUInt8() {
        case 0: return false
        case 1: return true
        case let other: throw .invalidValue(offset: offset - 1, detail: "boolean byte \(other)")
        }
    }

    public mutating func readUInt16() throws(BinaryDecodingError) -> UInt16 {
        try readInteger()
    }

    public mutating func readUInt32() throws(BinaryDecodingError) -> UInt32 {
        try readInteger()
    }

    public mutating func readUInt64() throws(BinaryDecodingError) -> UInt64 {
        try readInteger()
    }

    /// The next `count` bytes, for a field whose length the caller has read and bounded.
    public mutating func readBytes(_ count: Int) throws(BinaryDecodingError) -> [UInt8] {
        precondition(count >= 0, "a negative byte count")
        guard remainingBytes >= count else { throw .truncated(offset: offset) }
        defer { offset += count }
        return Array(bytes[offset..<(offset + count)])
    }

    /// Every byte left in the window (none is not an error).
    public mutating func readRemaining() -> [UInt8] {
        defer { offset = endOffset }
        return Array(bytes[offset..<endOffset])
    }

    /// A 32-bit length no larger than `maximumBytes`, then that many bytes.
    public mutating func readLengthPrefixed(maximumBytes: Int) throws(BinaryDecodingError) -> [UInt8] {
        let length = Int(try readUInt32())
        guard length <= maximumBytes else {
            throw .fieldTooLarge(offset: offset - 4, bytes: length, maximumBytes: maximumBytes)
        }
        return try readBytes(length)
    }

    public mutating func readString(maximumBytes: Int) throws(BinaryDecodingError) -> String {
        let field = try readLengthPrefixed(maximumBytes: maximumBytes)
        guard let text = String(validating: field, as: UTF8.self) else {
            throw .invalidValue(offset: offset - field.count, detail: "string is not UTF-8")
        }
        return text
    }

    /// Throws unless every byte was consumed: trailing bytes mean a format mismatch.
    public func expectEnd() throws(BinaryDecodingError) {
        guard isAtEnd else { throw .trailingBytes(offset: offset, count: remainingBytes) }
    }

    private mutating func readInteger<Value: FixedWidthInteger & UnsignedInteger>() throws(BinaryDecodingError) -> Value {
        let byteCount = Value.bitWidth / 8
        guard remainingBytes >= byteCount else { throw .truncated(offset: offset) }
        let window = offset..<(offset + byteCount)
        var value: Value = 0
        switch byteOrder {
        case .bigEndian:
            for position in window { value = value << 8 | Value(bytes[position]) }
        case .littleEndian:
            for position in window.reversed() { value = value << 8 | Value(bytes[position]) }
        }
        offset += byteCount
        return value
    }
}
