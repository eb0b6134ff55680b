import Primitives
import Testing

@Suite struct BinaryReaderTests {
    static let integers: [UInt8] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]

    @Test func integersAreReadInTheByteOrderChosenAtTheStart() throws {
        var big = BinaryReader(Self.integers)
        #expect(try big.readUInt16() == 0x0102)
        #expect(try big.readUInt32() == 0x0304_0506)
        #expect(try big.readUInt64() == 0x0708_090A_0B0C_0D0E)
        #expect(big.isAtEnd)
        var little = BinaryReader(Self.integers, byteOrder: .littleEndian)
        #expect(try little.readUInt16() == 0x0201)
        #expect(try little.readUInt32() == 0x0605_0403)
        #expect(try little.readUInt64() == 0x0E0D_0C0B_0A09_0807)
        try little.expectEnd()
    }

    @Test(arguments: [ByteOrder.bigEndian, .littleEndian])
    func whatTheWriterWroteReadsBack(order: ByteOrder) throws {
        var writer = BinaryWriter(byteOrder: order)
        writer.write(UInt8(200))
        writer.write(true)
        writer.write(UInt16.max - 1)
        writer.write(UInt32(70_000))
        writer.write(UInt64.max)
        writer.writeLengthPrefixed([1, 2, 3])
        writer.write("hé")
        writer.write(contentsOf: [4, 5])
        var reader = BinaryReader(writer.bytes, byteOrder: order)
        #expect(try reader.readUInt8() == 200)
        #expect(try reader.readBool())
        #expect(try reader.readUInt16() == UInt16.max - 1)
        #expect(try reader.readUInt32() == 70_000)
        #expect(try reader.readUInt64() == UInt64.max)
        #expect(try reader.readLengthPrefixed(maximumBytes: 3) == [1, 2, 3])
        #expect(try reader.readString(maximumBytes: 3) == "hé")
        #expect(reader.remainingBytes == 2)
        #expect(reader.readRemaining() == [4, 5])
        #expect(reader.readRemaining() == [])
        try reader.expectEnd()
    }

    @Test func aWindowIsReadAloneWithOffsetsCountedFromTheBuffersStart() throws {
        let bytes: [UInt8] = [0xAA, 0xBB, 0, 0, 0, 7, 0xCC, 0xDD]
        var reader = BinaryReader(bytes, range: 2..<7)
        #expect(reader.offset == 2 && reader.endOffset == 7 && reader.remainingBytes == 5)
        #expect(try reader.readUInt32() == 7)
        #expect(reader.offset == 6)
        #expect(throws: BinaryDecodingError.truncated(offset: 6)) { try reader.readUInt16() }
        #expect(throws: BinaryDecodingError.trailingBytes(offset: 6, count: 1)) { try reader.expectEnd() }
        #expect(reader.readRemaining() == [0xCC])
        #expect(reader.isAtEnd && reader.offset == 7)
        #expect(throws: BinaryDecodingError.truncated(offset: 7)) { try reader.readUInt8() }
        var empty = BinaryReader(bytes, range: 8..<8, byteOrder: .littleEndian)
        #expect(empty.isAtEnd && empty.readRemaining() == [])
    }

    @Test func aWindowOutsideTheBufferStopsTheProcess() async {
        await #expect(processExitsWith: .failure) {
            _ = BinaryReader([1, 2, 3], range: 1..<4)
        }
    }

    @Test(arguments: [ByteOrder.bigEndian, .littleEndian])
    func aShortReadThrowsWhereItStartedAndConsumesNothing(order: ByteOrder) {
        var reader = BinaryReader([1, 2, 3, 4, 5, 6, 7], byteOrder: order)
        #expect(throws: BinaryDecodingError.truncated(offset: 0)) { try reader.readUInt64() }
        #expect(reader.offset == 0)
        #expect(throws: Never.self) { _ = try reader.readUInt32() }
        #expect(throws: BinaryDecodingError.truncated(offset: 4)) { try reader.readUInt32() }
        #expect(throws: BinaryDecodingError.truncated(offset: 4)) { try reader.readBytes(4) }
        #expect(throws: Never.self) { _ = try reader.readUInt16() }
        #expect(throws: BinaryDecodingError.truncated(offset: 6)) { try reader.readUInt16() }
        #expect(reader.offset == 6 && reader.remainingBytes == 1)
    }

    @Test(arguments: [ByteOrder.bigEndian, .littleEndian])
    func aLengthOverTheBoundIsRefusedBeforeItsBytesAndAShortFieldIsTruncated(order: ByteOrder) {
        var writer = BinaryWriter(byteOrder: order)
        writer.writeLengthPrefixed([1, 2, 3, 4])
        var bounded = BinaryReader(writer.bytes, byteOrder: order)
        #expect(throws: BinaryDecodingError.fieldTooLarge(offset: 0, bytes: 4, maximumBytes: 3)) {
            try bounded.readLengthPrefixed(maximumBytes: 3)
        }
        var hostile = BinaryReader([0xFF, 0xFF, 0xFF, 0xFF], byteOrder: order)
        #expect(throws: BinaryDecodingError.fieldTooLarge(offset: 0, bytes: 0xFFFF_FFFF, maximumBytes: 1_024)) {
            try hostile.readString(maximumBytes: 1_024)
        }
        var short = BinaryReader(Array(writer.bytes.dropLast()), byteOrder: order)
        #expect(throws: BinaryDecodingError.truncated(offset: 4)) { try short.readLengthPrefixed(maximumBytes: 4) }
    }

    @Test func booleansOtherThanZeroOrOneAndTextThatIsNotUTF8AreInvalid() {
        var boolean = BinaryReader([2])
        #expect(throws: BinaryDecodingError.invalidValue(offset: 0, detail: "boolean byte 2")) { try boolean.readBool() }
        var text = BinaryReader([0, 0, 0, 2, 0xC3, 0x28])
        #expect(throws: BinaryDecodingError.invalidValue(offset: 4, detail: "string is not UTF-8")) {
            try text.readString(maximumBytes: 2)
        }
    }

    @Test func errorsDescribeWhereTheBytesWentWrong() {
        #expect(BinaryDecodingError.truncated(offset: 3).description == "input ends early at byte 3")
        #expect(BinaryDecodingError.fieldTooLarge(offset: 1, bytes: 9, maximumBytes: 8).description
            == "field at byte 1 declares 9 bytes, over the limit of 8")
        #expect(BinaryDecodingError.trailingBytes(offset: 4, count: 2).description == "2 unexpected bytes after the end at byte 4")
        #expect(BinaryDecodingError.unsupportedVersion(9).description == "encoding version 9 is not supported")
    }
}
