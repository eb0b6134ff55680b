import Fleet
import Gateway
import Primitives
import Telemetry
import Testing

/// The API's node, list, metrics and summary JSON, byte for byte: the leader renders it once and
/// followers relay the bytes, so what a client parses is exactly this.
struct NodeJSONTests {
    static let minute: UInt64 = 1_800_000_000_000
    static let gibibyte: UInt64 = 1 << 30

    static let sample = Sample(
        timestampMilliseconds: minute, hostCPUBusyBasisPoints: 1_234, hostMemoryUsedBytes: 4 * gibibyte,
        hostMemoryTotalBytes: 16 * gibibyte, roundTripMicroseconds: 250,
        modules: [ModuleSample(name: "api", cpuBasisPoints: 505, rssBytes: 1_000, probe: .succeeded(latencyMicroseconds: 1_500)),
                  ModuleSample(name: "worker", cpuBasisPoints: nil, rssBytes: 2_000, probe: .failed),
                  ModuleSample(name: "batch", cpuBasisPoints: 7, rssBytes: 3, probe: .notProbed)])

    static let reported = NodeSnapshot(
        id: "web-1", record: NodeRecord(id: "web-1", environment: "production", labels: ["zone": "a", "rack": "r1"],
                                        moduleVersions: ["api": "1.2.0"]),
        status: .live, latest: sample, latestAgeMilliseconds: 40)

    static let reportedJSON = "{\"id\":\"web-1\",\"status\":\"live\",\"environment\":\"production\","
        + "\"labels\":{\"rack\":\"r1\",\"zone\":\"a\"},\"moduleVersions\":{\"api\":\"1.2.0\"},"
        + "\"lastReport\":{\"ageMilliseconds\":40,\"timestampMilliseconds\":1800000000000,\"hostCPUPercent\":12.34,"
        + "\"memoryUsedBytes\":4294967296,\"memoryTotalBytes\":17179869184,\"roundTripMicroseconds\":250,\"modules\":["
        + "{\"name\":\"api\",\"cpuPercent\":5.05,\"rssBytes\":1000,\"probe\":{\"result\":\"ok\",\"latencyMicroseconds\":1500}},"
        + "{\"name\":\"worker\",\"cpuPercent\":null,\"rssBytes\":2000,\"probe\":{\"result\":\"failed\"}},"
        + "{\"name\":\"batch\",\"cpuPercent\":0.07,\"rssBytes\":3,\"probe\":{\"result\":\"notProbed\"}}]}}"

    @Test func aReportedNodeShowsItsInventoryAndLastSample() {
        #expect(NodeJSON.node(Self.reported) == Self.reportedJSON)
    }

    @Test func aNodeWithoutInventoryOrSamplesShowsNulls() {
        let bare = NodeSnapshot(id: "web-2", record: nil, status: .down, latest: nil, latestAgeMilliseconds: nil)
        let json = "{\"id\":\"web-2\",\"status\":\"down\",\"environment\":null,\"labels\":{},\"moduleVersions\":{},\"lastReport\":null}"
        #expect(NodeJSON.node(bare) == json)
        #expect(NodeJSON.list([Self.reported, bare], leader: "c1", term: 7)
            == "{\"leader\":\"c1\",\"term\":7,\"nodes\":[" + Self.reportedJSON + "," + json + "]}")
    }

    @Test func metricsShowFullSamplesAndFoldedMinutes() {
        var window = NodeWindow(capacity: 1, summaryCapacity: 5)
        let folded = [
            Sample(timestampMilliseconds: Self.minute, hostCPUBusyBasisPoints: 1_000, hostMemoryUsedBytes: 4 * Self.gibibyte,
                   hostMemoryTotalBytes: 16 * Self.gibibyte,
                   modules: [ModuleSample(name: "api", cpuBasisPoints: 1, rssBytes: 1, probe: .succeeded(latencyMicroseconds: 1_500)),
                             ModuleSample(name: "worker", cpuBasisPoints: 1, rssBytes: 1, probe: .failed)]),
            Sample(timestampMilliseconds: Self.minute + 1_000, hostCPUBusyBasisPoints: 3_000, hostMemoryUsedBytes: 6 * Self.gibibyte,
                   hostMemoryTotalBytes: 16 * Self.gibibyte,
                   modules: [ModuleSample(name: "api", cpuBasisPoints: 1, rssBytes: 1, probe: .succeeded(latencyMicroseconds: 900))]),
        ]
        let newest = Sample(timestampMilliseconds: Self.minute + 2_000, hostCPUBusyBasisPoints: 500,
                            hostMemoryUsedBytes: 2 * Self.gibibyte, hostMemoryTotalBytes: 16 * Self.gibibyte)
        let report = Report(agentIncarnation: 1, highestSeenTerm: 1, firstSequence: 1, samples: folded + [newest])
        #expect(window.ingest(report, at: MonotonicInstant(nanoseconds: 1)) == 3)
        #expect(NodeJSON.metrics(id: "web-1", samples: window.samples, summaries: window.summaries)
            == "{\"id\":\"web-1\",\"samples\":[{\"timestampMilliseconds\":1800000002000,\"hostCPUPercent\":5.00,"
            + "\"memoryUsedBytes\":2147483648,\"memoryTotalBytes\":17179869184,\"roundTripMicroseconds\":null,\"modules\":[]}],"
            + "\"minutes\":[{\"minuteStartMilliseconds\":1800000000000,\"sampleCount\":2,\"hostCPUPercentAverage\":20.00,"
            + "\"hostCPUPercentMaximum\":30.00,\"memoryUsedBytesAverage\":5368709120,\"memoryTotalBytes\":17179869184,"
            + "\"probeLatencyMicrosecondsMaximum\":1500,\"probeFailures\":1}]}")
    }

    @Test func anEnvironmentWithoutLiveNodesHasNoPercentiles() {
        #expect(NodeJSON.summary(EnvironmentSummary(nodes: []))
            == "{\"count\":0,\"live\":0,\"suspect\":0,\"down\":0,\"cpuPercent\":null,\"memoryUsedBytes\":null,"
            + "\"probeLatencyMicroseconds\":null}")
    }
}
