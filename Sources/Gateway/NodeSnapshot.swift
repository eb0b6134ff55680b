import Fleet
import Telemetry

/// A node as the API shows it: its replicated inventory (nil for an agent
/// whose inventory write has not applied yet), its status, and its newest
/// sample with that sample's age.
public struct NodeSnapshot: Sendable {
    public var id: String
    public var record: NodeRecord?
    public var status: NodeStatus
    public var latest: Sample?
    public var latestAgeMilliseconds: UInt64?

    public init(id: String, record: NodeRecord?, status: NodeStatus, latest: Sample?, latestAgeMilliseconds: UInt64?) {
        self.id = id
        self.record = record
        self.status = status
        self.latest = latest
        self.latestAgeMilliseconds = latestAgeMilliseconds
    }

    /// The slowest successful module health probe in the newest sample.
    public var probeLatencyMicroseconds: UInt32? {
        latest?.modules.compactMap(\.probe.latencyMicroseconds).max()
    }
}

/// Per-environment figures over its live nodes' newest samples.
public struct EnvironmentSummary: Sendable {
    public let nodeCount: Int
    public let liveCount: Int
    public let suspectCount: Int
    public let downCount: Int
    public let cpuBasisPoints: Percentiles?
    public let memoryUsedBytes: Percentiles?
    public let probeLatencyMicroseconds: Percentiles?

    public init(nodes: [NodeSnapshot]) {
        nodeCount = nodes.count
        let live = nodes.filter { $0.status == .live }
        liveCount = live.count
        suspectCount = nodes.count { $0.status == .suspect }
        downCount = nodes.count { $0.status == .down }
        let samples = live.compactMap(\.latest)
        cpuBasisPoints = Percentiles(samples.map { UInt64($0.hostCPUBusyBasisPoints) })
        memoryUsedBytes = Percentiles(samples.map(\.hostMemoryUsedBytes))
        probeLatencyMicroseconds = Percentiles(live.compactMap(\.probeLatencyMicroseconds).map(UInt64.init))
    }
}
