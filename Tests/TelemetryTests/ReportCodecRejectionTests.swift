import Telemetry
import Testing
import TestSupport
import Primitives

struct ReportCodecRejectionTests {
    static let documented = ReportCodecTests.documentedBytes

    /// The documented bytes with the bytes in `range` replaced.
    static func documented(replacing range: Range<Int>, with bytes: [UInt8]) -> [UInt8] {
        var copy = documented
        copy.replaceSubrange(range, with: bytes)
        return copy
    }

    @Test func everyTruncationOfAValidReportIsRejected() throws {
        for seed in UInt64(1)...40 {
            var generator = ReportGenerator(seed: seed)
            let bytes = try ReportCodec.encode(generator.report(sampleCountMaximum: 8))
            for length in 0..<bytes.count {
                #expect(throws: BinaryDecodingError.self, "seed \(seed), length \(length)") {
                    try ReportCodec.decodeReport(Array(bytes.prefix(length)))
                }
            }
        }
    }

    @Test func everyTruncationOfAnAckIsRejected() {
        let bytes = ReportCodec.encode(ReportAck(leaderTerm: 300, acknowledgedSequence: UInt64.max))
        for length in 0..<bytes.count {
            #expect(throws: BinaryDecodingError.self) { try ReportCodec.decodeAck(Array(bytes.prefix(length))) }
        }
    }

    @Test func trailingBytesAreRejected() {
        #expect(throws: BinaryDecodingError.trailingBytes(offset: 41, count: 1)) { try ReportCodec.decodeReport(Self.documented + [0]) }
        #expect(throws: BinaryDecodingError.trailingBytes(offset: 3, count: 1)) { try ReportCodec.decodeAck([1, 7, 11, 0]) }
    }

    @Test func otherVersionsAreRejected() {
        #expect(throws: BinaryDecodingError.unsupportedVersion(2)) { try ReportCodec.decodeReport([2] + Self.documented.dropFirst()) }
        #expect(throws: BinaryDecodingError.unsupportedVersion(0)) { try ReportCodec.decodeAck([0, 7, 11]) }
    }

    @Test func varintsOverSixtyFourBitsOrWithRedundantBytesAreRejected() throws {
        let elevenBytes: [UInt8] = [1] + Array(repeating: 0xFF, count: 10) + [0x01, 0]
        let tenthByteTooBig: [UInt8] = [1] + Array(repeating: 0xFF, count: 9) + [0x02, 0]
        let overlongZero: [UInt8] = [1, 0x80, 0x00, 0]
        let overlongOne: [UInt8] = [1, 0x81, 0x80, 0x00, 0]
        for bytes in [elevenBytes, tenthByteTooBig] {
            #expect(throws: BinaryDecodingError.invalidValue(offset: 1, detail: "varint exceeds 64 bits")) {
                try ReportCodec.decodeAck(bytes)
            }
        }
        for bytes in [overlongZero, overlongOne] {
            #expect(throws: BinaryDecodingError.invalidValue(offset: 1, detail: "varint has a redundant zero byte")) {
                try ReportCodec.decodeAck(bytes)
            }
        }
        #expect(try ReportCodec.decodeAck([1] + Array(repeating: 0xFF, count: 9) + [0x01, 0]).leaderTerm == UInt64.max)
    }

    @Test(arguments: [
        // Host CPU 65,536 does not fit 16 bits; 10,001 fits but is over 100%.
        (documented(replacing: 12..<14, with: [0x80, 0x80, 0x04]), "host CPU basis points 65536 exceeds 65535"),
        (documented(replacing: 12..<14, with: [0x91, 0x4E]), "sample 0 has host CPU 10001 basis points, over 10000"),
        // Round trip and probe latency of 2³² µs, module CPU of 2³² basis points.
        (documented(replacing: 18..<19, with: [0x81, 0x80, 0x80, 0x80, 0x10]), "round trip microseconds 4294967296 exceeds 4294967295"),
        (documented(replacing: 25..<27, with: [0x82, 0x80, 0x80, 0x80, 0x10]), "probe latency 4294967296 µs exceeds 4294967295"),
        (documented(replacing: 21..<23, with: [0x81, 0x80, 0x80, 0x80, 0x10]), "module CPU basis points 4294967296 exceeds 4294967295"),
        // A total of 299 bytes (zigzag 598) under the used 300.
        (documented(replacing: 14..<16, with: [0xD6, 0x04]), "sample 0 uses 300 bytes of memory, more than the total 299"),
        (documented(replacing: 20..<21, with: [0x01]), "module index 1 is not in the 1-name table"),
        (documented(replacing: 19..<20, with: [0x21]), "module count 33 exceeds the limit of 32"),
        (documented(replacing: 9..<10, with: [0x85, 0x07]), "sample count 901 exceeds the limit of 900"),
        (documented(replacing: 4..<5, with: [0x41]), "module name count 65 exceeds the limit of 64"),
        (documented(replacing: 5..<6, with: [0x41]), "module name length 65 exceeds the limit of 64"),
        (documented(replacing: 5..<9, with: [0x00]), "empty module name"),
        (documented(replacing: 6..<7, with: [0xFF]), "module name is not UTF-8"),
        (documented(replacing: 3..<4, with: Array(repeating: 0xFF, count: 9) + [0x01]),
         "2 samples from sequence 18446744073709551615 pass the largest sequence number"),
    ])
    func valuesOutsideTheirFieldOrTheLimitsAreRejected(bytes: [UInt8], detail: String) throws {
        let error = try #require(throws: BinaryDecodingError.self) { try ReportCodec.decodeReport(bytes) }
        guard case let .invalidValue(_, found) = error else {
            Issue.record("expected invalidValue, got \(error)")
            return
        }
        #expect(found == detail)
    }

    @Test func aModuleListedTwiceInTheTableOrInASampleIsRejected() throws {
        let twiceInTable = Self.documented(replacing: 4..<9, with: [0x02, 0x03, 0x61, 0x70, 0x69, 0x03, 0x61, 0x70, 0x69])
        #expect(throws: BinaryDecodingError.invalidValue(offset: 9, detail: "module name 'api' is listed twice")) {
            try ReportCodec.decodeReport(twiceInTable)
        }
        let twiceInSample = Self.documented(replacing: 19..<27, with: [0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00])
        #expect(throws: BinaryDecodingError.invalidValue(offset: 10, detail: "sample 0 lists module 'api' twice")) {
            try ReportCodec.decodeReport(twiceInSample)
        }
    }

    @Test func anOversizedInputIsRefusedBeforeReading() {
        let bytes = [UInt8](repeating: 0, count: ReportLimits.encodedBytesMaximum + 1)
        #expect(throws: BinaryDecodingError.fieldTooLarge(offset: 0, bytes: bytes.count, maximumBytes: ReportLimits.encodedBytesMaximum)) {
            try ReportCodec.decodeReport(bytes)
        }
    }

    @Test func aHugeDeclaredSampleCountWithFewBytesFailsWithoutReservingForIt() {
        #expect(throws: BinaryDecodingError.truncated(offset: 7)) {
            try ReportCodec.decodeReport([1, 0, 0, 0, 0, 0x84, 0x07])
        }
    }

    @Test func randomBytesNeverTrapTheDecoders() {
        var random = SplitMix64(seed: 0x7E1E)
        for _ in 0..<20_000 {
            var bytes = random.bytes(count: Int.random(in: 0...96, using: &random))
            if !bytes.isEmpty, Bool.random(using: &random) { bytes[0] = ReportCodec.version }
            _ = try? ReportCodec.decodeReport(bytes)
            _ = try? ReportCodec.decodeAck(bytes)
        }
    }

    @Test func mutatedReportsNeverTrapAndWhatDecodesReencodesToTheSameReport() throws {
        var random = SplitMix64(seed: 0xB17F)
        var decodedCount = 0
        for seed in UInt64(1)...2_000 {
            var generator = ReportGenerator(seed: seed)
            var bytes = try ReportCodec.encode(generator.report(sampleCountMaximum: 6))
            for _ in 0..<Int.random(in: 1...3, using: &random) {
                bytes[Int.random(in: 0..<bytes.count, using: &random)] ^= UInt8(1) << UInt8.random(in: 0...7, using: &random)
            }
            guard let report = try? ReportCodec.decodeReport(bytes) else { continue }
            decodedCount += 1
            #expect(try ReportCodec.decodeReport(ReportCodec.encode(report)) == report, "seed \(seed)")
        }
        #expect(decodedCount > 0)
    }
}
