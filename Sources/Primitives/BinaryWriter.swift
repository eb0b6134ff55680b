/// Appends integers, in the byte order chosen when it is made (big-endian unless told), raw
/// bytes and length-prefixed fields to a byte array. The encoding side of the compact binary
/// formats, on the wire and on disk; `BinaryReader` is its bounded inverse.
public struct BinaryWriter: Sendable {
    public private(set) var bytes: [UInt8] = []
    public let byteOrder: ByteOrder

    public init(byteOrder: ByteOrder = .bigEndian, reservingCapacity capacity: Int = 64) {
        self.byteOrder = byteOrder
        bytes.reserveCapacity(capacity)
    }

    public mutating func write(_ value: UInt8) { bytes.append(value) }

    public mutating func write(_ value: Bool) { bytes.append(value ? 1 : 0) }

    public mutating func write(_ value: UInt16) { append(value) }

    public mutating func write(_ value: UInt32) { append(value) }

    public mutating func write(_ value: UInt64) { append(value) }

    /// The bytes as they are, with no length before them.
    public mutating func write(contentsOf field: some Collection<UInt8>) {
        bytes.append(contentsOf: field)
    }

    /// A 32-bit length, then the bytes.
    public mutating func writeLengthPrefixed(_ field: some Collection<UInt8>) {
        write(UInt32(field.count))
        bytes.append(contentsOf: field)
    }

    public mutating func write(_ text: String) {
        writeLengthPrefixed(Array(text.utf8))
    }

    /// Replaces the four bytes at `offset`: fills a header field (a checksum, a length) once
    /// what follows the header is written. Traps unless all four were written already.
    public mutating func overwrite(_ value: UInt32, at offset: Int) {
        precondition(offset >= 0 && offset <= bytes.count - 4, "overwrite outside the written bytes")
        withUnsafeBytes(of: ordered(value)) { raw in
            for (position, byte) in raw.enumerated() { bytes[offset + position] = byte }
        }
    }

    private mutating func append(_ value: some FixedWidthInteger) {
        withUnsafeBytes(of: ordered(value)) { bytes.append(contentsOf: $0) }
    }

    /// `value` with its bytes in memory in `byteOrder`.
    private func ordered<Value: FixedWidthInteger>(_ value: Value) -> Value {
        switch byteOrder {
        case .bigEndian: value.bigEndian
        case .littleEndian: value.littleEndian
        }
    }
}
