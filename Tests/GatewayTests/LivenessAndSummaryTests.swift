import Fleet
import Gateway
import Primitives
import Telemetry
import Testing

struct LivenessAndSummaryTests {
    static let policy = LivenessPolicy(suspectAfter: .seconds(3), downAfter: .seconds(30), failoverGrace: .seconds(10))

    /// The instant `seconds` after boot.
    static func second(_ seconds: Int64) -> MonotonicInstant {
        MonotonicInstant(nanoseconds: 0).advanced(by: .seconds(seconds))
    }

    @Test func aReportingNodeIsLiveThenSuspectThenDown() {
        let leadingSince = Self.second(100)
        let last = Self.second(200)
        #expect(Self.policy.status(lastReportAt: last, leadingSince: leadingSince, now: last.advanced(by: .seconds(2))) == .live)
        #expect(Self.policy.status(lastReportAt: last, leadingSince: leadingSince, now: last.advanced(by: .seconds(5))) == .suspect)
        #expect(Self.policy.status(lastReportAt: last, leadingSince: leadingSince, now: last.advanced(by: .seconds(31))) == .down)
    }

    @Test func aNodeTurnsSuspectAndDownExactlyAtTheirBounds() {
        let last = Self.second(200)
        let status = { (age: Duration) in
            Self.policy.status(lastReportAt: last, leadingSince: Self.second(100), now: last.advanced(by: age))
        }
        #expect(status(.seconds(3) - .nanoseconds(1)) == .live)
        #expect(status(.seconds(3)) == .suspect)
        #expect(status(.seconds(30) - .nanoseconds(1)) == .suspect)
        #expect(status(.seconds(30)) == .down)
    }

    @Test func noNodeIsSuspectOrDownDuringTheGraceAfterALeaderChange() {
        let leadingSince = Self.second(1_000)
        let beforeTheChange = Self.second(990)
        for elapsed in stride(from: Int64(0), to: 10, by: 1) {
            #expect(Self.policy.status(lastReportAt: beforeTheChange, leadingSince: leadingSince,
                                       now: leadingSince.advanced(by: .seconds(elapsed))) == .live)
            #expect(Self.policy.status(lastReportAt: nil, leadingSince: leadingSince,
                                       now: leadingSince.advanced(by: .seconds(elapsed))) == .live)
        }
        #expect(Self.policy.status(lastReportAt: nil, leadingSince: leadingSince, now: leadingSince.advanced(by: .seconds(10))) == .suspect)
        #expect(Self.policy.status(lastReportAt: nil, leadingSince: leadingSince, now: leadingSince.advanced(by: .seconds(40))) == .down)
    }

    @Test func percentilesUseNearestRank() {
        #expect(Percentiles([]) == nil)
        #expect(Percentiles([7])?.median == 7 && Percentiles([7])?.p95 == 7)
        let values = Percentiles((1...100).map(UInt64.init))
        #expect(values?.median == 50 && values?.p95 == 95)
        #expect(Percentiles([5, 1, 3])?.median == 3)
    }

    @Test func environmentSummaryCountsEveryNodeAndMeasuresOnlyLiveOnes() {
        func node(_ id: String, _ status: NodeStatus, cpu: UInt16, latency: UInt32?) -> NodeSnapshot {
            let modules = latency.map {
                [ModuleSample(name: "web", cpuBasisPoints: 10, rssBytes: 1, probe: .succeeded(latencyMicroseconds: $0))]
            } ?? []
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
