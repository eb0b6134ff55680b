import Primitives
import Testing

@Suite struct BinaryWriterTests {
    @Test func integersAreWrittenInTheByteOrderChosenAtTheStart() {
        var big = BinaryWriter()
        var little = BinaryWriter(byteOrder: .littleEndian)
        big.write(UInt16(0x0102))
        big.write(UInt32(0x0304_0506))
        big.write(UInt64(0x0708_090A_0B0C_0D0E))
        little.write(UInt16(0x0102))
        little.write(UInt32(0x0304_0506))
        little.write(UInt64(0x0708_090A_0B0C_0D0E))
        #expect(big.byteOrder == .bigEndian && little.byteOrder == .littleEndian)
        #expect(big.bytes == [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14])
        #expect(little.bytes == [2, 1, 6, 5, 4, 3, 14, 13, 12, 11, 10, 9, 8, 7])
    }

    @Test(arguments: [ByteOrder.bigEndian, .littleEndian])
    func bytesBooleansFieldsAndTextAreTheSameInEitherOrderButTheirLengths(order: ByteOrder) {
        var writer = BinaryWriter(byteOrder: order)
        writer.write(UInt8(0xFE))
        writer.write(true)
        writer.write(false)
        writer.write(contentsOf: [9, 8])
        writer.writeLengthPrefixed([7])
        writer.write("hé")
        let one: [UInt8] = order == .bigEndian ? [0, 0, 0, 1] : [1, 0, 0, 0]
        let three: [UInt8] = order == .bigEndian ? [0, 0, 0, 3] : [3, 0, 0, 0]
        #expect(writer.bytes == [0xFE, 1, 0, 9, 8] + one + [7] + three + [0x68, 0xC3, 0xA9])
    }

    @Test(arguments: [ByteOrder.bigEndian, .littleEndian])
    func overwriteReplacesFourWrittenBytesInTheWritersOrder(order: ByteOrder) {
        var writer = BinaryWriter(byteOrder: order)
        writer.write(contentsOf: [UInt8](repeating: 0, count: 6))
        writer.overwrite(0x0102_0304, at: 0)
        writer.overwrite(0x0A0B_0C0D, at: 2)
        let expected: [UInt8] = order == .bigEndian ? [1, 2, 0x0A, 0x0B, 0x0C, 0x0D] : [4, 3, 0x0D, 0x0C, 0x0B, 0x0A]
        #expect(writer.bytes == expected)
    }

    @Test func overwritePastTheWrittenBytesStopsTheProcess() async {
        await #expect(processExitsWith: .failure) {
            var writer = BinaryWriter()
            writer.write(contentsOf: [0, 0, 0, 0, 0])
            writer.overwrite(1, at: 2)
        }
    }

    @Test func overwriteBeforeTheStartStopsTheProcess() async {
        await #expect(processExitsWith: .failure) {
            var writer = BinaryWriter()
            writer.write(UInt64(0))
            writer.overwrite(1, at: -1)
        }
    }
}
