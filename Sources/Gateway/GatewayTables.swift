import Fleet
import Primitives
import Telemetry

/// The leader's per-node windows, bounded in count and, through
/// `NodeWindow`, in size. Pure: the agent gateway drives it with monotonic
/// times and locks it.
public struct GatewayTables: Sendable {
    public struct Limits: Sendable, Equatable {
        public var nodesMaximum = FleetState.nodesMaximum
        /// Full-resolution samples per node (5 minutes at one per second).
        public var samplesPerNode = 300
        /// Minute summaries per node (an hour).
        public var minutesPerNode = 60

        public init() {}
    }

    public let limits: Limits
    public private(set) var windows: [String: NodeWindow] = [:]

    public init(limits: Limits = Limits()) {
        self.limits = limits
    }

    /// Makes room for `node`'s window (when its agent says hello); false
    /// when the node is new and the table is full.
    public mutating func admit(_ node: String) -> Bool {
        guard windows[node] == nil else { return true }
        guard windows.count < limits.nodesMaximum else { return false }
        windows[node] = NodeWindow(capacity: limits.samplesPerNode, summaryCapacity: limits.minutesPerNode)
        return true
    }

    /// Stores a report for `node`; nil when the node is new and the table is full.
    public mutating func ingest(_ report: Report, from node: String, at now: MonotonicInstant) -> UInt64? {
        guard admit(node) else { return nil }
        return windows[node]!.ingest(report, at: now)
    }

    public func acknowledgedSequence(of node: String, incarnation: UInt64) -> UInt64 {
        windows[node]?.acknowledgedSequence(incarnation: incarnation) ?? 0
    }

    /// Drops `node`'s window (the node was removed from the fleet), so the table shrinks.
    public mutating func remove(_ node: String) {
        windows[node] = nil
    }

}
