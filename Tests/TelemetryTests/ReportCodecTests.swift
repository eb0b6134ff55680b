import Telemetry
import Testing
import TestSupport
import Wire

struct ReportCodecTests {
    /// The example of `Docs/PROTOCOL.md`, "Agent reports", byte for byte.
    static let documentedReport = Report(agentIncarnation: 5, highestSeenTerm: 3, firstSequence: 10, samples: [
        Sample(timestampMilliseconds: 1_000, hostCPUBusyBasisPoints: 250, hostMemoryUsedBytes: 300, hostMemoryTotalBytes: 1_000,
               roundTripMicroseconds: 99,
               modules: [ModuleSample(name: "api", cpuBasisPoints: 1_500, rssBytes: 4_096, probe: .succeeded(latencyMicroseconds: 2_000))]),
        Sample(timestampMilliseconds: 2_000, hostCPUBusyBasisPoints: 260, hostMemoryUsedBytes: 290, hostMemoryTotalBytes: 1_000,
               roundTripMicroseconds: nil,
               modules: [ModuleSample(name: "api", cpuBasisPoints: 1_400, rssBytes: 8_192, probe: .failed)]),
    ])
    static let documentedBytes: [UInt8] = [
        0x01, 0x05, 0x03, 0x0A, 0x01, 0x03, 0x61, 0x70, 0x69, 0x02,
        0xD0, 0x0F, 0xFA, 0x01, 0xD0, 0x0F, 0xD8, 0x04, 0x64, 0x01, 0x00, 0xDD, 0x0B, 0x80, 0x40, 0xD2, 0x0F,
        0xD0, 0x0F, 0x84, 0x02, 0x00, 0x13, 0x00, 0x01, 0x00, 0xF9, 0x0A, 0x80, 0x40, 0x01,
    ]

    @Test func theDocumentedExampleEncodesToTheDocumentedBytes() throws {
        #expect(try ReportCodec.encode(Self.documentedReport) == Self.documentedBytes)
        #expect(try ReportCodec.decodeReport(Self.documentedBytes) == Self.documentedReport)
    }

    @Test func theDocumentedAckEncodesToTheDocumentedBytes() throws {
        let ack = ReportAck(leaderTerm: 7, acknowledgedSequence: 11)
        #expect(ReportCodec.encode(ack) == [0x01, 0x07, 0x0B])
        #expect(try ReportCodec.decodeAck([0x01, 0x07, 0x0B]) == ack)
    }

    @Test func randomValidReportsRoundTrip() throws {
        for seed in UInt64(1)...1_000 {
            var generator = ReportGenerator(seed: seed)
            let report = generator.report()
            let bytes = try ReportCodec.encode(report)
            #expect(try ReportCodec.decodeReport(bytes) == report, "seed \(seed)")
        }
    }

    @Test func acksRoundTripAcrossTheWholeRange() throws {
        var random = SplitMix64(seed: 0xAC4)
        let edges: [UInt64] = [0, 1, 127, 128, 16_383, 16_384, UInt64(UInt32.max), UInt64.max - 1, UInt64.max]
        for _ in 0..<500 {
            let ack = ReportAck(leaderTerm: edges.randomElement(using: &random)!, acknowledgedSequence: random.next())
            #expect(try ReportCodec.decodeAck(ReportCodec.encode(ack)) == ack)
        }
        #expect(ReportCodec.encode(ReportAck(leaderTerm: UInt64.max, acknowledgedSequence: 0)).count == 1 + 10 + 1)
    }

    @Test func anEmptyReportIsAHeartbeatOfAFewBytes() throws {
        let report = Report(agentIncarnation: 1, highestSeenTerm: 2, firstSequence: 3, samples: [])
        let bytes = try ReportCodec.encode(report)
        #expect(bytes == [0x01, 0x01, 0x02, 0x03, 0x00, 0x00])
        #expect(try ReportCodec.decodeReport(bytes) == report)
        #expect(report.lastSequence == nil)
    }

    @Test func aTypicalHeartbeatIsThirteenBytes() throws {
        #expect(try ReportCodec.encode(TypicalReports.report(sampleCount: 0)).count == 13)
    }

    @Test func unmeasuredModuleCPUStaysDistinctFromIdle() throws {
        var report = TypicalReports.report(sampleCount: 2)
        report.samples[0].modules[0].cpuBasisPoints = nil
        report.samples[1].modules[0].cpuBasisPoints = 0
        let decoded = try ReportCodec.decodeReport(ReportCodec.encode(report))
        #expect(decoded.samples[0].modules[0].cpuBasisPoints == nil)
        #expect(decoded.samples[1].modules[0].cpuBasisPoints == 0)
    }

    @Test func probeOutcomesStayDistinct() throws {
        var report = TypicalReports.report(sampleCount: 3)
        let outcomes: [ProbeResult] = [.notProbed, .failed, .succeeded(latencyMicroseconds: 0)]
        for (index, outcome) in outcomes.enumerated() { report.samples[index].modules[1].probe = outcome }
        let decoded = try ReportCodec.decodeReport(ReportCodec.encode(report))
        #expect(decoded.samples.map { $0.modules[1].probe } == outcomes)
        #expect(outcomes.map(\.latencyMicroseconds) == [nil, nil, 0])
    }

    @Test func lastSequenceCountsFromTheFirst() {
        #expect(TypicalReports.report(sampleCount: 60).lastSequence == 86_460)
        #expect(Report(agentIncarnation: 0, highestSeenTerm: 0, firstSequence: UInt64.max, samples: [TypicalReports.sample(0)])
            .lastSequence == UInt64.max)
    }

    /// The figures quoted in `Docs/PROTOCOL.md`, "Sizes".
    @Test func typicalReportsHaveTheDocumentedSizes() throws {
        #expect(try ReportCodec.encode(TypicalReports.report(sampleCount: 1)).count == 73)
        #expect(try ReportCodec.encode(TypicalReports.report(sampleCount: 60)).count == 1_563)
    }

    /// Written whole, a typical sample's timestamp, memory and RSS alone take 6 + 5 + 5 + 4 + 4
    /// bytes; as deltas from the previous sample they take 2 + 1 + 3 + 3 + 3.
    @Test func deltasKeepEachFurtherTypicalSampleUnderThirtyBytes() throws {
        let one = try ReportCodec.encode(TypicalReports.report(sampleCount: 1)).count
        let sixty = try ReportCodec.encode(TypicalReports.report(sampleCount: 60)).count
        #expect((sixty - one) / 59 < 30, "1 sample: \(one) bytes, 60 samples: \(sixty) bytes")
    }

    @Test func moduleNamesAreWrittenOncePerReport() throws {
        let bytes = try ReportCodec.encode(TypicalReports.report(sampleCount: 60))
        #expect(byteOffsets(of: "checkout-api", in: bytes).count == 1)
    }

    @Test func aReportAtEveryLimitFitsTheEncodedBoundAndOneFrame() throws {
        let widest = Self.widestReport()
        let bytes = try ReportCodec.encode(widest)
        #expect(bytes.count == 643_194)
        #expect(bytes.count <= ReportLimits.encodedBytesMaximum)
        #expect(ReportLimits.encodedBytesMaximum + Frame.headerBytes <= FrameCodec.frameSizeMaximumBytesDefault)
        #expect(try ReportCodec.decodeReport(bytes) == widest)
    }

    /// Every count at its limit and every number as wide as its varint gets: all 64 names (half
    /// the samples use the first 32, half the rest), and each delta a jump of 2⁶³.
    static func widestReport() -> Report {
        let names = (0..<ReportLimits.moduleNamesMaximum).map {
            String(repeating: "m", count: ReportLimits.moduleNameBytesMaximum - 2) + String($0 + 10)
        }
        let half = ReportLimits.modulesPerSampleMaximum
        let samples = (0..<ReportLimits.samplesMaximum).map { index in
            let high: UInt64 = index % 2 == 0 ? 1 << 63 : 0
            let moduleHigh: UInt64 = (index / 2) % 2 == 0 ? 1 << 63 : 0
            let group = index % 2 == 0 ? names[..<half] : names[half...]
            return Sample(
                timestampMilliseconds: high, hostCPUBusyBasisPoints: 10_000,
                hostMemoryUsedBytes: high, hostMemoryTotalBytes: high, roundTripMicroseconds: UInt32.max,
                modules: group.map {
                    ModuleSample(name: $0, cpuBasisPoints: UInt32.max, rssBytes: moduleHigh,
                                 probe: .succeeded(latencyMicroseconds: UInt32.max))
                }
            )
        }
        return Report(agentIncarnation: UInt64.max, highestSeenTerm: UInt64.max,
                      firstSequence: UInt64.max - UInt64(ReportLimits.samplesMaximum - 1), samples: samples)
    }
}
