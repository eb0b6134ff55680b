/// `GET /api/v1/deployments/{id}/waves/{n}/nodes`'s answer as the CLI reads it
/// (Docs/DEPLOYMENTS.md, "API and CLI"): a wave's nodes as its latest gate decision judged them,
/// those that were not stable first, at most a page of them and how many more there are.
public struct WaveNodesDocument: Decodable, Sendable, Equatable {
    /// The latest decision, without its evidence.
    public struct Decision: Decodable, Sendable, Equatable {
        public let index: UInt32
        public let elapsedMs: UInt64
        public let verdict: String
        public let reason: String
        public let consecutiveStable: Int
        public let consecutiveStableWanted: Int
        public let pollsMaximum: UInt32
    }

    /// One metric of one node: its figures and the rule that decided it.
    public struct Metric: Decodable, Sendable, Equatable {
        public let metric: String
        public let value: Double?
        public let baseline: Double?
        /// The highest value the regression rule allowed: baseline + the control's change + the band.
        public let allowed: Double?
        public let ceiling: Double?
        public let outcome: String
    }

    public struct Node: Decodable, Sendable, Equatable {
        public let id: String
        public let state: String
        /// False before the wave's first decision: no figure then.
        public let judged: Bool
        public let stable: Bool?
        public let hasData: Bool?
        public let probeFailed: Bool?
        public let moduleAbsent: Bool?
        public let failingStreak: Int?
        public let metrics: [Metric]
    }

    public let index: Int
    public let state: String
    public let nodeCount: Int
    public let decision: Decision?
    public let nodes: [Node]
    public let more: Int
}
