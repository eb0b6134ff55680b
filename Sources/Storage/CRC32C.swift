/// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum that
/// frames every write-ahead-log record and snapshot, and checks snapshots
/// streamed between coordinators. Slice-by-8: eight 256-entry tables let the
/// loop consume eight bytes per step.
public enum CRC32C {
    static let polynomialReflected: UInt32 = 0x82F6_3B78
    static let tableCount = 8

    /// `tables[k][b]` is the CRC of byte `b` followed by `k` zero bytes.
    private static let tables: [[UInt32]] = {
        var tables = [[UInt32]](repeating: [UInt32](repeating: 0, count: 256), count: tableCount)
        for byte in 0..<256 {
            var crc = UInt32(byte)
            for _ in 0..<8 {
                crc = (crc & 1) == 1 ? (crc >> 1) ^ polynomialReflected : crc >> 1
            }
            tables[0][byte] = crc
        }
        for byte in 0..<256 {
            for slice in 1..<tableCount {
                let previous = tables[slice - 1][byte]
                tables[slice][byte] = (previous >> 8) ^ tables[0][Int(previous & 0xFF)]
            }
        }
        return tables
    }()

    /// The checksum of `bytes`; with `previous`, the checksum of whatever
    /// `previous` covered followed by `bytes`, so data that arrives in pieces
    /// is checked without holding it whole.
    public static func checksum(_ bytes: UnsafeRawBufferPointer, continuing previous: UInt32 = 0) -> UInt32 {
        var crc: UInt32 = previous ^ 0xFFFF_FFFF
        var offset = 0
        let count = bytes.count
        tables.withUnsafeBufferPointer { tables in
            let t0 = tables[0], t1 = tables[1], t2 = tables[2], t3 = tables[3]
            let t4 = tables[4], t5 = tables[5], t6 = tables[6], t7 = tables[7]
            while count - offset >= 8 {
                let low = crc ^ bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self).littleEndian
                let high = bytes.loadUnaligned(fromByteOffset: offset + 4, as: UInt32.self).littleEndian
                crc = t7[Int(low & 0xFF)] ^ t6[Int((low >> 8) & 0xFF)]
                    ^ t5[Int((low >> 16) & 0xFF)] ^ t4[Int(low >> 24)]
                    ^ t3[Int(high & 0xFF)] ^ t2[Int((high >> 8) & 0xFF)]
                    ^ t1[Int((high >> 16) & 0xFF)] ^ t0[Int(high >> 24)]
                offset += 8
            }
            while offset < count {
                crc = (crc >> 8) ^ t0[Int((crc ^ UInt32(bytes[offset])) & 0xFF)]
                offset += 1
            }
        }
        return crc ^ 0xFFFF_FFFF
    }

    /// The checksum of all of `bytes`, continuing `previous` (see above).
    public static func checksum(_ bytes: [UInt8], continuing previous: UInt32 = 0) -> UInt32 {
        bytes.withUnsafeBytes { checksum($0, continuing: previous) }
    }

    /// The checksum of `bytes[range]`.
    static func checksum(_ bytes: [UInt8], _ range: Range<Int>) -> UInt32 {
        precondition(range.lowerBound >= 0 && range.upperBound <= bytes.count, "CRC range outside the buffer")
        return bytes.withUnsafeBytes { checksum(UnsafeRawBufferPointer(rebasing: $0[range])) }
    }
}
