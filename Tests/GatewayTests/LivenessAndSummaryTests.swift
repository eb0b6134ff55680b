import Fleet
import Gateway
import Telemetry
import Testing

struct LivenessAndSummaryTests {
    static let second: UInt64 = 1_000_000_000
    static let policy = LivenessPolicy(suspectAfterNanoseconds: 3 * second, downAfterNanoseconds: 30 * second,
                                       failoverGraceNanoseconds: 10 * second)

    @Test func aReportingNodeIsLiveThenSuspectThenDown() {
        let leadingSince = 100 * Self.second
        let last = 200 * Self.second
        #expect(Self.policy.status(lastReportAt: last, leadingSince: leadingSince, now: last + 2 * Self.second) == .live)
        #expect(Self.policy.status(lastReportAt: last, leadingSince: leadingSince, now: last + 5 * Self.second) == .suspect)
        #expect(Self.policy.status(lastReportAt: last, leadingSince: leadingSince, now: last + 31 * Self.second) == .down)
    }

    @Test func noNodeIsSuspectOrDownDuringTheGraceAfterALeaderChange() {
        let leadingSince = 1_000 * Self.second
        let beforeTheChange = 990 * Self.second
        for elapsed in stride(from: UInt64(0), to: 10, by: 1) {
            #expect(Self.policy.status(lastReportAt: beforeTheChange, leadingSince: leadingSince,
                                       now: leadingSince + elapsed * Self.second) == .live)
            #expect(Self.policy.status(lastReportAt: nil, leadingSince: leadingSince,
                                       now: leadingSince + elapsed * Self.second) == .live)
        }
        #expect(Self.policy.status(lastReportAt: nil, leadingSince: leadingSince, now: leadingSince + 10 * Self.second) == .suspect)
        #expect(Self.policy.status(lastReportAt: nil, leadingSince: leadingSince, now: leadingSince + 40 * Self.second) == .down)
    }

    @Test func percentilesUseNearestRank() {
        #expect(Percentiles([]) == nil)
        #expect(Percentiles([7]) == Percentiles([7]))
        let values = Percentiles((1...100).map(UInt64.init))
        #expect(values?.median == 50 && values?.p95 == 95)
        #expect(Percentiles([5, 1, 3])?.median == 3)
    }

    @Test func environmentSummaryCountsEveryNodeAndMeasuresOnlyLiveOnes() {
        func node(_ id: String, _ status: NodeStatus, cpu: UInt16, latency: UInt32?) -> NodeSnapshot {
            let modules = latency.map { [ModuleSample(name: "web", cpuBasisPoints: 10, rssBytes: 1, probe: .succeeded(latencyMicroseconds: $0))] } ?? []
            let sample = Sample(timestampMilliseconds: 1, hostCPUBusyBasisPoints: cpu, hostMemoryUsedBytes: UInt64(cpu),
                                hostMemoryTotalBytes: 10_000, modules: modules)
            return NodeSnapshot(id: id, record: NodeRecord(id: id, environment: "qa"), status: status, latest: sample,
                                latestAgeMilliseconds: 5)
        }
        let summary = EnvironmentSummary(nodes: [node("a", .live, cpu: 1_000, latency: 800), node("b", .live, cpu: 3_000, latency: nil),
                                                 node("c", .down, cpu: 9_000, latency: 9_000)])
        #expect(summary.nodeCount == 3 && summary.liveCount == 2 && summary.suspectCount == 0 && summary.downCount == 1)
        #expect(NodeJSON.summary(summary).hasPrefix("{\"count\":3,\"live\":2,\"suspect\":0,\"down\":1,"))
        #expect(summary.cpuBasisPoints == Percentiles([1_000, 3_000]))
        #expect(summary.probeLatencyMicroseconds == Percentiles([800]))
        #expect(NodeJSON.summary(summary).contains("\"cpuPercent\":{\"median\":10.00,\"p95\":30.00}"))
    }
}
