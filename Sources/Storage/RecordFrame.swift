import Primitives

/// The on-disk frame of every write-ahead-log record:
/// `length: u32 LE | crc32c: u32 LE | type: u8 | payload`, where `length`
/// counts type + payload and the CRC-32C covers the same bytes.
enum RecordFrame {
    /// Bytes before the type byte: length and checksum.
    static let headerBytes = 8
    /// The largest `length` accepted on write and on read (type + payload).
    static let recordSizeMaximumBytes = 16 << 20

    /// What lies at an offset of a segment.
    enum Parsed {
        /// A frame whose checksum matches; `endOffset` is where the next begins.
        case valid(type: UInt8, payloadRange: Range<Int>, endOffset: Int)
        case invalid(reason: String)
    }

    /// Appends a frame, filling length and checksum after `writePayload` has
    /// written exactly `payloadBytes` bytes.
    static func append(
        type: UInt8,
        payloadBytes: Int,
        to writer: inout BinaryWriter,
        writePayload: (inout BinaryWriter) -> Void
    ) throws(StorageError) {
        let length = 1 + payloadBytes
        guard length <= recordSizeMaximumBytes else {
            throw .recordTooLarge(bytes: length, maximumBytes: recordSizeMaximumBytes)
        }
        precondition(writer.byteOrder == .littleEndian, "record frames are little-endian")
        let start = writer.bytes.count
        writer.write(UInt32(length))
        writer.write(UInt32(0))
        writer.write(type)
        writePayload(&writer)
        let checkedRange = start + headerBytes..<writer.bytes.count
        precondition(checkedRange.count == length, "payload writer wrote \(checkedRange.count - 1) bytes, promised \(payloadBytes)")
        writer.overwrite(CRC32C.checksum(writer.bytes, checkedRange), at: start + 4)
    }

    /// Parses the frame at `offset`, checking bounds and checksum (not the
    /// payload's meaning).
    static func parse(_ bytes: [UInt8], at offset: Int) -> Parsed {
        precondition(offset >= 0 && offset <= bytes.count, "parse offset outside the segment")
        let available = bytes.count - offset
        guard available >= headerBytes + 1 else {
            return .invalid(reason: "only \(available) bytes remain, too few for a record")
        }
        var header = BinaryReader(bytes, range: offset..<offset + headerBytes, byteOrder: .littleEndian)
        let length: Int
        let stored: UInt32
        do {
            length = Int(try header.readUInt32())
            stored = try header.readUInt32()
        } catch {
            preconditionFailure("a \(headerBytes)-byte window holds a record header: \(error)")
        }
        guard (1...recordSizeMaximumBytes).contains(length) else {
            return .invalid(reason: "record length \(length) is outside 1...\(recordSizeMaximumBytes)")
        }
        let checkedRange = offset + headerBytes..<offset + headerBytes + length
        guard checkedRange.upperBound <= bytes.count else {
            return .invalid(reason: "record of \(headerBytes + length) bytes runs past the end of the file (\(bytes.count) bytes)")
        }
        let computed = CRC32C.checksum(bytes, checkedRange)
        guard computed == stored else {
            return .invalid(reason: "checksum mismatch (stored \(hex(stored)), computed \(hex(computed)))")
        }
        let payloadRange = checkedRange.lowerBound + 1..<checkedRange.upperBound
        return .valid(type: bytes[checkedRange.lowerBound], payloadRange: payloadRange, endOffset: checkedRange.upperBound)
    }

    private static func hex(_ value: UInt32) -> String {
        "0x" + String(value, radix: 16)
    }
}
