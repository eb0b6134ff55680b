/// `GET /api/v1/deployments/{id}/waves/{n}/nodes`'s answer as the CLI reads it
/// (Docs/DEPLOYMENTS.md, "API and CLI"): a wave's nodes as its latest gate decision judged them,
/// failing ones first, then those not stable, then the stable, at most a page of them, how many
/// more there are and how many of the wave's nodes are failing or not stable.
public struct WaveNodesDocument: Decodable, Sendable, Equatable {
    /// The latest decision, without its evidence.
    public struct Decision: Decodable, Sendable, Equatable {
        public let index: UInt32
        public let elapsedMs: UInt64
        public let verdict: String
        public let reason: String
        public let consecutiveStable: Int
        public let consecutiveStableWanted: Int
        public let consecutiveFailingWanted: Int
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
        /// A metric regressed or over its ceiling, a failing streak, a failed probe or the module
        /// missing from a sample.
        public let failing: Bool?
        public let stable: Bool?
        public let hasData: Bool?
        public let probeFailed: Bool?
        /// Samples in the poll's window, and how many of them lacked the deployed module.
        public let samples: Int?
        public let samplesWithoutModule: Int?
        public let failingStreak: Int?
        public let metrics: [Metric]
    }

    public let index: Int
    public let state: String
    public let nodeCount: Int
    public let decision: Decision?
    /// The wave's nodes failing, and not stable but not failing, shown or not.
    public let failing: Int
    public let notStable: Int
    public let nodes: [Node]
    public let more: Int
}
