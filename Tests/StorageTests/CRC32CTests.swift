@testable import Storage
import Testing
import TestSupport

struct CRC32CTests {
    @Test func checkValueOfTheStandardTestStringMatchesCastagnoli() {
        #expect(crc(Array("123456789".utf8)) == 0xE306_9283)
    }

    @Test func thirtyTwoZeroBytesMatchTheRFC3720Vector() {
        #expect(crc([UInt8](repeating: 0, count: 32)) == 0x8A91_36AA)
        #expect(crc([UInt8](repeating: 0xFF, count: 32)) == 0x62A8_AB43)
    }

    @Test func sliceByEightAgreesWithBitwiseDefinitionAtEveryLengthAndAlignment() {
        var generator = SplitMix64(seed: 0xC3C3)
        let bytes = (0..<200).map { _ in UInt8.random(in: 0...255, using: &generator) }
        for start in 0..<9 {
            for end in start...bytes.count {
                #expect(CRC32C.checksum(bytes, start..<end) == bitwise(Array(bytes[start..<end])), "range \(start)..<\(end)")
            }
        }
    }

    private func crc(_ bytes: [UInt8]) -> UInt32 {
        CRC32C.checksum(bytes, 0..<bytes.count)
    }

    /// The textbook one-bit-at-a-time definition, independent of the tables.
    private func bitwise(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0x82F6_3B78 : crc >> 1 }
        }
        return ~crc
    }
}
