/// Appends big-endian integers and length-prefixed fields to a byte array.
/// The encoding side of the compact binary formats (Raft log commands,
/// snapshots, agent reports); `BinaryReader` is its bounded inverse.
public struct BinaryWriter: Sendable {
    public private(set) var bytes: [UInt8] = []

    public init(reservingCapacity capacity: Int = 64) {
        bytes.reserveCapacity(capacity)
    }

    public mutating func write(_ value: UInt8) { bytes.append(value) }

    public mutating func write(_ value: Bool) { bytes.append(value ? 1 : 0) }

    public mutating func write(_ value: UInt32) {
        withUnsafeBytes(of: value.bigEndian) { bytes.append(contentsOf: $0) }
    }

    public mutating func write(_ value: UInt64) {
        withUnsafeBytes(of: value.bigEndian) { bytes.append(contentsOf: $0) }
    }

    /// A 32-bit length, then the bytes.
    public mutating func writeLengthPrefixed(_ field: some Collection<UInt8>) {
        write(UInt32(field.count))
        bytes.append(contentsOf: field)
    }

    public mutating func write(_ text: String) {
        writeLengthPrefixed(Array(text.utf8))
    }
}

/// Reads what `BinaryWriter` wrote, refusing truncated input and any length
/// field over the caller's bound, so hostile bytes cannot make it allocate.
public struct BinaryReader: Sendable {
    private let bytes: [UInt8]
    public private(set) var offset = 0

    public init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    public var isAtEnd: Bool { offset == bytes.count }
    public var remainingBytes: Int { bytes.count - offset }

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

    public mutating func readUInt32() throws(BinaryDecodingError) -> UInt32 {
        UInt32(truncatingIfNeeded: try readBigEndian(byteCount: 4))
    }

    public mutating func readUInt64() throws(BinaryDecodingError) -> UInt64 {
        try readBigEndian(byteCount: 8)
    }

    public mutating func readLengthPrefixed(maximumBytes: Int) throws(BinaryDecodingError) -> [UInt8] {
        let length = Int(try readUInt32())
        guard length <= maximumBytes else {
            throw .fieldTooLarge(offset: offset - 4, bytes: length, maximumBytes: maximumBytes)
        }
        guard remainingBytes >= length else { throw .truncated(offset: offset) }
        defer { offset += length }
        return Array(bytes[offset..<(offset + length)])
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

    private mutating func readBigEndian(byteCount: Int) throws(BinaryDecodingError) -> UInt64 {
        guard remainingBytes >= byteCount else { throw .truncated(offset: offset) }
        var value: UInt64 = 0
        for position in offset..<(offset + byteCount) { value = value << 8 | UInt64(bytes[position]) }
        offset += byteCount
        return value
    }
}

/// Why bytes could not be decoded, with the offset where it went wrong.
public enum BinaryDecodingError: Error, Equatable, Sendable, CustomStringConvertible {
    case truncated(offset: Int)
    case fieldTooLarge(offset: Int, bytes: Int, maximumBytes: Int)
    case invalidValue(offset: Int, detail: String)
    case trailingBytes(offset: Int, count: Int)
    case unsupportedVersion(UInt8)

    public var description: String {
        switch self {
        case let .truncated(offset): return "input ends early at byte \(offset)"
        case let .fieldTooLarge(offset, bytes, maximum):
            return "field at byte \(offset) declares \(bytes) bytes, over the limit of \(maximum)"
        case let .invalidValue(offset, detail): return "invalid value at byte \(offset): \(detail)"
        case let .trailingBytes(offset, count): return "\(count) unexpected bytes after the end at byte \(offset)"
        case let .unsupportedVersion(version): return "encoding version \(version) is not supported"
        }
    }
}
