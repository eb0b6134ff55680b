import Fleet
import Primitives
import Telemetry

/// The leader's per-node windows, bounded in count and, through
/// `NodeWindow`, in size; the window of a node silent for longer than the
/// retention is evicted (`NodeRetention`). Pure: the agent gateway drives it
/// with monotonic times and locks it.
public struct GatewayTables: Sendable {
    public struct Limits: Sendable, Equatable {
        public var nodesMaximum = FleetState.nodesMaximum
        /// Full-resolution samples per node (5 minutes at one per second).
        public var samplesPerNode = 300
        /// Minute summaries per node (an hour).
        public var minutesPerNode = 60
        /// A node with no session and no contact for this long loses its window.
        public var retention = NodeRetention.retentionDefault
        /// Windows one eviction sweep looks at: a sweep costs the same at 16,384 nodes as at 10.
        public var windowsPerSweepMaximum = 1_024
        /// Windows one sweep evicts: freeing one at its bounds is some 10,000 deallocations
        /// (`hotswap bench gateway-memory`), and a sweep runs on the Raft loop.
        public var evictionsPerSweepMaximum = 64

        public init() {}
    }

    public let limits: Limits
    public private(set) var windows: [String: NodeWindow] = [:]
    /// Counts the changes to which nodes have a window (one admitted, removed or evicted), so a
    /// reader can tell the set of nodes is the one it saw without comparing it.
    public private(set) var nodesRevision: UInt64 = 0
    /// The nodes the current sweep round has still to look at; refilled from
    /// `windows` when a round ends, so every window is looked at once a round.
    private var sweepRound: [String] = []

    public init(limits: Limits = Limits()) {
        self.limits = limits
    }

    /// Makes room for `node`'s window (when its agent says hello at `now`);
    /// false when the node is new and the table is full.
    public mutating func admit(_ node: String, at now: MonotonicInstant) -> Bool {
        if windows[node] == nil {
            guard windows.count < limits.nodesMaximum else { return false }
            windows[node] = NodeWindow(capacity: limits.samplesPerNode, summaryCapacity: limits.minutesPerNode)
            nodesRevision += 1
        }
        windows[node]!.noteContact(at: now)
        return true
    }

    /// Stores a report for `node`; nil when the node is new and the table is full.
    public mutating func ingest(_ report: Report, from node: String, at now: MonotonicInstant) -> UInt64? {
        guard admit(node, at: now) else { return nil }
        return windows[node]!.ingest(report, at: now)
    }

    /// `node`'s session ended at `now`: its retention runs from here.
    public mutating func noteSessionEnded(_ node: String, at now: MonotonicInstant) {
        windows[node]?.noteContact(at: now)
    }

    public func acknowledgedSequence(of node: String, incarnation: UInt64) -> UInt64 {
        windows[node]?.acknowledgedSequence(incarnation: incarnation) ?? 0
    }

    /// Drops `node`'s window (the node was removed from the fleet), so the table shrinks, and
    /// returns it for the caller to free outside its lock.
    public mutating func remove(_ node: String) -> NodeWindow? {
        guard let window = windows.removeValue(forKey: node) else { return nil }
        nodesRevision += 1
        return window
    }

    /// Evicts the windows of nodes without a session (`isConnected` false)
    /// whose retention ran out by `now`, and returns them by node, for the
    /// caller to free outside its lock. Looks at no more than
    /// `limits.windowsPerSweepMaximum` windows and evicts no more than
    /// `limits.evictionsPerSweepMaximum`, going on where the last sweep
    /// stopped; starting a round copies the node ids once.
    public mutating func evictExpired(now: MonotonicInstant, isConnected: (String) -> Bool) -> [String: NodeWindow] {
        if sweepRound.isEmpty { sweepRound = Array(windows.keys) }
        var evicted: [String: NodeWindow] = [:]
        for _ in 0..<min(limits.windowsPerSweepMaximum, sweepRound.count) {
            guard evicted.count < limits.evictionsPerSweepMaximum else { break }
            let node = sweepRound.removeLast()
            guard let window = windows[node], !isConnected(node) else { continue }
            let expired = window.lastContactAt.map {
                NodeRetention.isExpired(lastContactAt: $0, now: now, retention: limits.retention)
            } ?? true
            guard expired else { continue }
            evicted[node] = windows.removeValue(forKey: node)
        }
        if !evicted.isEmpty { nodesRevision += 1 }
        return evicted
    }
}
