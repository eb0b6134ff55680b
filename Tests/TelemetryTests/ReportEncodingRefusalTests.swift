import Telemetry
import Testing

/// The encoder refuses what the decoder would refuse, before writing anything, so an agent
/// learns of a bad report locally instead of having the leader drop its connection.
struct ReportEncodingRefusalTests {
    static func report(_ samples: [Sample], firstSequence: UInt64 = 1) -> Report {
        Report(agentIncarnation: 1, highestSeenTerm: 1, firstSequence: firstSequence, samples: samples)
    }

    static func sample(cpu: UInt16 = 0, used: UInt64 = 0, total: UInt64 = 1, modules: [String] = []) -> Sample {
        Sample(timestampMilliseconds: 0, hostCPUBusyBasisPoints: cpu, hostMemoryUsedBytes: used, hostMemoryTotalBytes: total,
               modules: modules.map { ModuleSample(name: $0, cpuBasisPoints: 0, rssBytes: 0, probe: .notProbed) })
    }

    @Test func tooManySamples() {
        let samples = Array(repeating: Self.sample(), count: ReportLimits.samplesMaximum + 1)
        #expect(throws: ReportViolation.tooManySamples(count: 901)) { try ReportCodec.encode(Self.report(samples)) }
        #expect(throws: Never.self) { try ReportCodec.encode(Self.report(Array(samples.dropLast()))) }
    }

    @Test func sequenceNumbersPastTheLargest() {
        let report = Self.report([Self.sample(), Self.sample()], firstSequence: UInt64.max)
        #expect(throws: ReportViolation.sequenceOverflow(firstSequence: UInt64.max, count: 2)) { try ReportCodec.encode(report) }
        #expect(report.lastSequence == nil)
    }

    @Test func hostCPUOverOneHundredPercent() {
        #expect(throws: ReportViolation.hostCPUOutOfRange(sampleIndex: 1, basisPoints: 10_001)) {
            try ReportCodec.encode(Self.report([Self.sample(cpu: 10_000), Self.sample(cpu: 10_001)]))
        }
    }

    @Test func memoryUsedOverTotal() {
        #expect(throws: ReportViolation.memoryUsedExceedsTotal(sampleIndex: 0, usedBytes: 2, totalBytes: 1)) {
            try ReportCodec.encode(Self.report([Self.sample(used: 2, total: 1)]))
        }
    }

    @Test func tooManyModulesInOneSample() {
        let names = (0...ReportLimits.modulesPerSampleMaximum).map { "m\($0)" }
        #expect(throws: ReportViolation.tooManyModules(sampleIndex: 0, count: 33)) {
            try ReportCodec.encode(Self.report([Self.sample(modules: names)]))
        }
    }

    @Test func moduleNamesEmptyOrTooLong() {
        let long = String(repeating: "é", count: 33)
        #expect(throws: ReportViolation.invalidModuleName(sampleIndex: 0, byteCount: 66)) {
            try ReportCodec.encode(Self.report([Self.sample(modules: [long])]))
        }
        #expect(throws: ReportViolation.invalidModuleName(sampleIndex: 0, byteCount: 0)) {
            try ReportCodec.encode(Self.report([Self.sample(modules: [""])]))
        }
    }

    @Test func theSameModuleTwiceInASample() {
        #expect(throws: ReportViolation.duplicateModule(sampleIndex: 0, name: "api")) {
            try ReportCodec.encode(Self.report([Self.sample(modules: ["api", "web", "api"])]))
        }
    }

    @Test func moreDistinctModuleNamesThanOneReportHolds() {
        let samples = (0..<3).map { group in Self.sample(modules: (0..<30).map { "m\(group * 30 + $0)" }) }
        #expect(throws: ReportViolation.tooManyModuleNames(count: 65)) { try ReportCodec.encode(Self.report(samples)) }
        #expect(throws: Never.self) { try ReportCodec.encode(Self.report(Array(samples.prefix(2)))) }
    }

    @Test func violationsSayWhatToDo() {
        #expect(ReportViolation.tooManySamples(count: 901).description.contains("send fewer per report"))
        #expect(ReportViolation.tooManyModuleNames(count: 65).description.contains("send fewer samples per report"))
    }
}
