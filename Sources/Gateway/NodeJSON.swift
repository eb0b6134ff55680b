import Fleet
import Telemetry
import Wire

/// The API's JSON for nodes, samples and environment summaries, rendered
/// in one place (the leader renders; followers relay the bytes).
public enum NodeJSON {
    public static func node(_ node: NodeSnapshot) -> String {
        var fields = ["\"id\":\(JSONText.quoted(node.id))", "\"status\":\"\(node.status.rawValue)\""]
        fields.append("\"environment\":" + (node.record.map { JSONText.quoted($0.environment) } ?? "null"))
        fields.append("\"labels\":" + object(node.record?.labels ?? [:]))
        fields.append("\"moduleVersions\":" + object(node.record?.moduleVersions ?? [:]))
        let lastReport = node.latest.map { sample in
            "{\"ageMilliseconds\":\(node.latestAgeMilliseconds ?? 0)," + sampleFields(sample) + "}"
        }
        fields.append("\"lastReport\":" + (lastReport ?? "null"))
        return "{" + fields.joined(separator: ",") + "}"
    }

    /// A node's replicated inventory alone (no liveness or samples): what an event carries.
    public static func inventory(_ record: NodeRecord) -> String {
        "{\"id\":\(JSONText.quoted(record.id)),\"environment\":\(JSONText.quoted(record.environment)),"
            + "\"labels\":\(object(record.labels)),\"moduleVersions\":\(object(record.moduleVersions))}"
    }

    public static func list(_ nodes: [NodeSnapshot], leader: String, term: UInt64) -> String {
        "{\"leader\":\(JSONText.quoted(leader)),\"term\":\(term),\"nodes\":[" + nodes.map(node).joined(separator: ",") + "]}"
    }

    public static func metrics(id: String, samples: [Sample], summaries: [MinuteSummary]) -> String {
        let full = samples.map { "{" + sampleFields($0) + "}" }
        let folded = summaries.map { summary in
            "{\"minuteStartMilliseconds\":\(summary.minuteStartMilliseconds),\"sampleCount\":\(summary.sampleCount),"
                + "\"hostCPUPercentAverage\":\(percent(summary.hostCPUBusyBasisPointsAverage)),"
                + "\"hostCPUPercentMaximum\":\(percent(UInt64(summary.hostCPUBusyBasisPointsMaximum))),"
                + "\"memoryUsedBytesAverage\":\(summary.hostMemoryUsedBytesAverage),"
                + "\"memoryTotalBytes\":\(summary.hostMemoryTotalBytes),"
                + "\"probeLatencyMicrosecondsMaximum\":\(summary.probeLatencyMicrosecondsMaximum.map { "\($0)" } ?? "null"),"
                + "\"probeFailures\":\(summary.probeFailureCount)}"
        }
        return "{\"id\":\(JSONText.quoted(id)),\"samples\":[" + full.joined(separator: ",") + "],"
            + "\"minutes\":[" + folded.joined(separator: ",") + "]}"
    }

    public static func summary(_ summary: EnvironmentSummary) -> String {
        "{\"count\":\(summary.nodeCount),\"live\":\(summary.liveCount),\"suspect\":\(summary.suspectCount),"
            + "\"down\":\(summary.downCount),"
            + "\"cpuPercent\":" + percentiles(summary.cpuBasisPoints, scale: percent) + ","
            + "\"memoryUsedBytes\":" + percentiles(summary.memoryUsedBytes) { "\($0)" } + ","
            + "\"probeLatencyMicroseconds\":" + percentiles(summary.probeLatencyMicroseconds) { "\($0)" } + "}"
    }

    private static func sampleFields(_ sample: Sample) -> String {
        let modules = sample.modules.map { module in
            "{\"name\":\(JSONText.quoted(module.name)),"
                + "\"cpuPercent\":\(module.cpuBasisPoints.map { percent(UInt64($0)) } ?? "null"),"
                + "\"rssBytes\":\(module.rssBytes),\"probe\":\(probe(module.probe))}"
        }
        return "\"timestampMilliseconds\":\(sample.timestampMilliseconds),"
            + "\"hostCPUPercent\":\(percent(UInt64(sample.hostCPUBusyBasisPoints))),"
            + "\"memoryUsedBytes\":\(sample.hostMemoryUsedBytes),\"memoryTotalBytes\":\(sample.hostMemoryTotalBytes),"
            + "\"roundTripMicroseconds\":\(sample.roundTripMicroseconds.map { "\($0)" } ?? "null"),"
            + "\"modules\":[" + modules.joined(separator: ",") + "]"
    }

    private static func probe(_ result: ProbeResult) -> String {
        switch result {
        case .notProbed: "{\"result\":\"notProbed\"}"
        case .failed: "{\"result\":\"failed\"}"
        case let .succeeded(latency): "{\"result\":\"ok\",\"latencyMicroseconds\":\(latency)}"
        }
    }

    /// Basis points as a percentage with two decimals.
    static func percent(_ basisPoints: UInt64) -> String {
        "\(basisPoints / 100).\(basisPoints % 100 < 10 ? "0" : "")\(basisPoints % 100)"
    }

    private static func percentiles(_ value: Percentiles?, scale: (UInt64) -> String) -> String {
        guard let value else { return "null" }
        return "{\"median\":\(scale(value.median)),\"p95\":\(scale(value.p95))}"
    }

    private static func object(_ pairs: [String: String]) -> String {
        "{" + pairs.keys.sorted().map { "\(JSONText.quoted($0)):\(JSONText.quoted(pairs[$0]!))" }.joined(separator: ",") + "}"
    }
}
