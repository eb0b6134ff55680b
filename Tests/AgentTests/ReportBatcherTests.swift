@testable import Agent
import Telemetry
import Testing

struct ReportBatcherTests {
    private func sample(_ index: Int, module: String) -> Sample {
        Sample(timestampMilliseconds: 1_000 + UInt64(index), hostCPUBusyBasisPoints: 100, hostMemoryUsedBytes: 10,
               hostMemoryTotalBytes: 20, modules: [ModuleSample(name: module, cpuBasisPoints: 1, rssBytes: 4096, probe: .notProbed)])
    }

    @Test func pendingSamplesGoInOneReport() throws {
        let batch = SampleBatch(firstSequence: 7, samples: (0..<10).map { sample($0, module: "api") })
        let output = ReportBatcher.encode(batch, incarnation: 42, highestSeenTerm: 3)
        #expect(output.refused.isEmpty)
        #expect(output.reports.count == 1)
        let report = try ReportCodec.decodeReport(try #require(output.reports.first))
        #expect(report == Report(agentIncarnation: 42, highestSeenTerm: 3, firstSequence: 7, samples: batch.samples))
    }

    @Test func aBatchNamingMoreModulesThanAReportMayIsSplitWithoutAGap() throws {
        let names = ReportLimits.moduleNamesMaximum + 6
        let batch = SampleBatch(firstSequence: 1, samples: (0..<names).map { sample($0, module: "m\($0)") })
        let output = ReportBatcher.encode(batch, incarnation: 1, highestSeenTerm: 1)
        #expect(output.refused.isEmpty)
        #expect(output.reports.count > 1)
        let reports = try output.reports.map { try ReportCodec.decodeReport($0) }
        var next: UInt64 = 1
        for report in reports {
            #expect(report.firstSequence == next)
            next += UInt64(report.samples.count)
        }
        #expect(reports.flatMap(\.samples) == batch.samples)
    }

    @Test func aSampleTheEncoderRefusesIsSkippedAndTheRestStillGo() throws {
        var bad = sample(1, module: "api")
        bad.hostMemoryUsedBytes = 30
        let batch = SampleBatch(firstSequence: 1, samples: [sample(0, module: "api"), bad, sample(2, module: "api")])
        let output = ReportBatcher.encode(batch, incarnation: 1, highestSeenTerm: 1)
        #expect(output.refused.count == 1)
        let reports = try output.reports.map { try ReportCodec.decodeReport($0) }
        #expect(reports.flatMap(\.samples) == [batch.samples[0], batch.samples[2]])
        #expect(reports.last?.firstSequence == 3)
    }

    @Test func anEmptyBatchIsAHeartbeat() throws {
        let output = ReportBatcher.encode(SampleBatch(firstSequence: 5, samples: []), incarnation: 1, highestSeenTerm: 2)
        let report = try ReportCodec.decodeReport(try #require(output.reports.first))
        #expect(report.samples.isEmpty && report.firstSequence == 5 && report.highestSeenTerm == 2)
    }
}
