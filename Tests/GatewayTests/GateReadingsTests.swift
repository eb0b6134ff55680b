import Gateway
import Primitives
import Rollout
import Telemetry
import Testing

@Suite struct GateReadingsTests {
    static let start: UInt64 = 1_800_000_000_000
    static let mebibyte: UInt64 = 1 << 20

    static func module(_ name: String = "web", cpu: UInt32? = 2_500, rssMiB: UInt64 = 100,
                       probe: ProbeResult = .succeeded(latencyMicroseconds: 20_000)) -> ModuleSample {
        ModuleSample(name: name, cpuBasisPoints: cpu, rssBytes: rssMiB * mebibyte, probe: probe)
    }

    static func sample(_ second: UInt64, cpu: UInt16 = 4_000, usedGiB: UInt64 = 4, totalGiB: UInt64 = 16,
                       modules: [ModuleSample] = [module()]) -> Sample {
        Sample(timestampMilliseconds: start + second * 1_000, hostCPUBusyBasisPoints: cpu,
               hostMemoryUsedBytes: usedGiB << 30, hostMemoryTotalBytes: totalGiB << 30, modules: modules)
    }

    static func reading(_ samples: [Sample], module: String = "web", seconds: Range<UInt64> = 0..<10) -> NodeReading? {
        GateReadings.reading(of: samples, module: module, from: start + seconds.lowerBound * 1_000, to: start + seconds.upperBound * 1_000)
    }

    @Test func eachMetricIsTheMedianInTheGatesUnits() throws {
        let first = Self.module(cpu: 1_000, rssMiB: 100, probe: .succeeded(latencyMicroseconds: 20_000))
        let spike = Self.module(cpu: 30_000, rssMiB: 300, probe: .notProbed)
        let third = Self.module(cpu: 1_200, rssMiB: 120, probe: .succeeded(latencyMicroseconds: 24_500))
        let samples = [
            Self.sample(1, cpu: 4_000, usedGiB: 4, modules: [first]),
            Self.sample(2, cpu: 9_900, usedGiB: 8, modules: [spike]),
            Self.sample(3, cpu: 4_200, usedGiB: 5, modules: [third]),
        ]
        let reading = try #require(Self.reading(samples))
        #expect(reading.values[.hostCPU] == 42)
        #expect(reading.values[.hostMemory] == 31.25)
        #expect(reading.values[.probeLatency] == 22.25, "the successful probes' latencies, in ms")
        #expect(reading.values[.moduleCPU] == 12, "percent of one core")
        #expect(reading.values[.moduleMemory] == 120, "MiB")
        #expect(!reading.probeFailed)
    }

    @Test func theWindowHoldsItsStartAndNotItsEnd() throws {
        let samples = (0...12).map { Self.sample($0, cpu: UInt16($0) * 100) }
        let reading = try #require(Self.reading(samples, seconds: 3..<6))
        #expect(reading.values[.hostCPU] == 4, "seconds 3, 4 and 5")
        #expect(Self.reading(samples, seconds: 13..<20) == nil)
        #expect(try #require(Self.reading(samples, seconds: 12..<13)).values[.hostCPU] == 12)
        #expect(Self.reading(samples, seconds: 5..<5) == nil, "an empty window")
        #expect(GateReadings.reading(of: samples, module: "web", from: Self.start + 9_000, to: Self.start) == nil, "a reversed window")
    }

    @Test func noSamplesInTheWindowIsNoData() {
        #expect(Self.reading([]) == nil)
        #expect(Self.reading([Self.sample(20)]) == nil)
    }

    @Test func anAbsentModuleLeavesItsMetricsWithoutValues() throws {
        let samples = [Self.sample(1, modules: [Self.module("api")]), Self.sample(2, modules: [])]
        let reading = try #require(Self.reading(samples))
        #expect(reading.values[.hostCPU] == 40)
        #expect(reading.values[.hostMemory] == 25)
        for metric in [GateMetric.probeLatency, .moduleCPU, .moduleMemory] {
            #expect(reading.values[metric] == nil, "\(metric)")
        }
        #expect(!reading.probeFailed)
        #expect(reading.samples == 2 && reading.samplesWithoutModule == 2 && reading.moduleAbsent, "the module is not running")
    }

    @Test func samplesWithoutTheModuleAreCounted() throws {
        let samples = [Self.sample(1), Self.sample(2, modules: []), Self.sample(3, modules: [Self.module("api")]), Self.sample(4)]
        let reading = try #require(Self.reading(samples))
        #expect(reading.samples == 4 && reading.samplesWithoutModule == 2 && !reading.moduleAbsent)
        #expect(reading.values[.moduleMemory] == 100)
        let everywhere = try #require(Self.reading([Self.sample(1), Self.sample(2)]))
        #expect(everywhere.samples == 2 && everywhere.samplesWithoutModule == 0)
    }

    @Test func aFailedProbeInAnySampleMarksTheReading() throws {
        let samples = [
            Self.sample(1),
            Self.sample(2, modules: [Self.module("api", probe: .failed), Self.module(probe: .failed)]),
            Self.sample(3),
        ]
        let reading = try #require(Self.reading(samples))
        #expect(reading.probeFailed)
        #expect(reading.values[.probeLatency] == 20, "the failed probe has no latency")
        let otherModule = try #require(Self.reading(samples, module: "api"))
        #expect(otherModule.probeFailed)
        #expect(otherModule.values[.probeLatency] == nil)
    }

    @Test func moduleCPUThatCouldNotBeMeasuredIsLeftOut() throws {
        let samples = [Self.sample(1, modules: [Self.module(cpu: nil)]), Self.sample(2, modules: [Self.module(cpu: 500)])]
        #expect(try #require(Self.reading(samples)).values[.moduleCPU] == 5)
        let unmeasured = try #require(Self.reading([Self.sample(1, modules: [Self.module(cpu: nil)])]))
        #expect(unmeasured.values[.moduleCPU] == nil)
        #expect(unmeasured.values[.moduleMemory] == 100)
    }

    @Test func hostMemoryWithoutATotalIsLeftOut() throws {
        let samples = [Self.sample(1, usedGiB: 0, totalGiB: 0), Self.sample(2, usedGiB: 12, totalGiB: 16)]
        #expect(try #require(Self.reading(samples)).values[.hostMemory] == 75)
        let unknown = try #require(Self.reading([Self.sample(1, usedGiB: 0, totalGiB: 0)]))
        #expect(unknown.values[.hostMemory] == nil)
        #expect(unknown.values[.hostCPU] == 40)
    }

    @Test func aWindowsSamplesInATimeRangeComeOldestFirstAcrossTheRingsWrap() {
        var window = NodeWindow(capacity: 5, summaryCapacity: 2)
        let report = Report(agentIncarnation: 1, highestSeenTerm: 1, firstSequence: 1, samples: (0..<8).map { Self.sample($0) })
        _ = window.ingest(report, at: MonotonicInstant(nanoseconds: 1))
        let seconds = { (samples: [Sample]) in samples.map { ($0.timestampMilliseconds - Self.start) / 1_000 } }
        #expect(seconds(window.samples(from: Self.start, to: Self.start + 60_000)) == [3, 4, 5, 6, 7])
        #expect(seconds(window.samples(from: Self.start + 4_000, to: Self.start + 7_000)) == [4, 5, 6])
        #expect(window.samples(from: Self.start + 8_000, to: Self.start + 9_000).isEmpty)
        #expect(window.samples(from: Self.start + 6_000, to: Self.start + 4_000).isEmpty)
    }
}
