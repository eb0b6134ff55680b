import Primitives

// LEB128 varints (7 bits per byte, least significant group first, high bit = more follows)
// and zigzag deltas, on top of Primitives' writer and bounded reader.

extension BinaryWriter {
    /// Most-significant-last groups of 7 bits: values below 128 take one byte, `UInt64.max` ten.
    mutating func writeVarint(_ value: UInt64) {
        var remaining = value
        while remaining >= 0x80 {
            write(UInt8(truncatingIfNeeded: remaining) | 0x80)
            remaining >>= 7
        }
        write(UInt8(remaining))
    }

    /// `value − base` modulo 2⁶⁴, read as signed and zigzag-mapped (0, −1, 1, −2, ... → 0, 1,
    /// 2, 3, ...), so small moves either way take one or two bytes.
    mutating func writeDelta(_ value: UInt64, from base: UInt64) {
        let delta = Int64(bitPattern: value &- base)
        writeVarint(UInt64(bitPattern: (delta << 1) ^ (delta >> 63)))
    }
}

extension BinaryReader {
    static let varintBytesMaximum = 10

    /// Refuses a varint over 64 bits or written with more bytes than it needs (a trailing
    /// zero group), so each value has exactly one encoding.
    mutating func readVarint() throws(BinaryDecodingError) -> UInt64 {
        let start = offset
        var value: UInt64 = 0
        for group in 0..<Self.varintBytesMaximum {
            let byte = try readUInt8()
            let bits = UInt64(byte & 0x7F)
            guard group < Self.varintBytesMaximum - 1 || byte <= 1 else {
                throw .invalidValue(offset: start, detail: "varint exceeds 64 bits")
            }
            value |= bits << (7 * group)
            if byte & 0x80 == 0 {
                guard byte != 0 || group == 0 else { throw .invalidValue(offset: start, detail: "varint has a redundant zero byte") }
                return value
            }
        }
        throw .invalidValue(offset: start, detail: "varint exceeds 64 bits")
    }

    /// A varint that must fit `T`; `field` names it in the error.
    mutating func readVarint<T: FixedWidthInteger & UnsignedInteger>(as type: T.Type, field: String) throws(BinaryDecodingError) -> T {
        let start = offset
        let value = try readVarint()
        guard let narrowed = T(exactly: value) else {
            throw .invalidValue(offset: start, detail: "\(field) \(value) exceeds \(T.max)")
        }
        return narrowed
    }

    /// A varint count no larger than `maximum`.
    mutating func readCount(maximum: Int, field: String) throws(BinaryDecodingError) -> Int {
        let start = offset
        let value = try readVarint()
        guard value <= UInt64(maximum) else {
            throw .invalidValue(offset: start, detail: "\(field) \(value) exceeds the limit of \(maximum)")
        }
        return Int(value)
    }

    /// The inverse of `BinaryWriter.writeDelta`.
    mutating func readDelta(from base: UInt64) throws(BinaryDecodingError) -> UInt64 {
        let zigzag = try readVarint()
        let delta = Int64(bitPattern: zigzag >> 1) ^ -Int64(bitPattern: zigzag & 1)
        return base &+ UInt64(bitPattern: delta)
    }
}
