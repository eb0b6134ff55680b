/// How one of the gate's rules judged one metric of one node in a poll.
public enum GateRuleResult: Sendable, CaseIterable {
    case passed
    case failed
    /// The rule had nothing to judge: no value in the poll, no baseline, or no ceiling for the metric.
    case notJudged
}

/// What decided one metric of one node in a poll, worst first: no data, over a ceiling, regressed,
/// not settled, not judged (no value), settled.
public enum GateMetricOutcome: Sendable, CaseIterable, CustomStringConvertible {
    /// Settled, and neither regressed nor over a ceiling where those rules could judge it.
    case settled
    case notSettled
    case regressed
    case overCeiling
    /// The node had data, but none for this metric.
    case notJudged
    /// The node had no data in the poll.
    case noData

    public var description: String {
        switch self {
        case .settled: "settled"
        case .notSettled: "not settled"
        case .regressed: "regressed"
        case .overCeiling: "over the ceiling"
        case .notJudged: "not judged: no value"
        case .noData: "no data"
        }
    }
}

/// One metric of one wave node as the gate judged it in a poll: the figures each rule compared
/// and what each rule said. Figures that were absent or not finite are nil.
public struct GateMetricEvidence: Sendable, Equatable {
    public var metric: GateMetric
    public var value: Double?
    /// The node's value for this metric in the previous poll of the wave.
    public var previous: Double?
    public var baseline: Double?
    /// The change the control group expects at this node's baseline (the median of the control
    /// nodes' relative changes applied to it); nil is "no control" (0 was used).
    public var controlChange: Double?
    /// (value − baseline) − control change, when both value and baseline exist.
    public var netRise: Double?
    /// The band around the previous value that "settled" allowed.
    public var settleBand: Double?
    /// The band around the baseline that "not regressed" allowed.
    public var regressionBand: Double?
    public var ceiling: Double?
    public var settled: GateRuleResult
    public var regression: GateRuleResult
    public var underCeiling: GateRuleResult
    /// The node had no data in the poll: no rule judged this metric.
    public var nodeWithoutData: Bool
    /// The node had no baseline of its own for this metric: `baseline` is the median of the other
    /// wave nodes' baselines (the evidence says "wave baseline").
    public var baselineFromWave = false

    /// The rule that decided this metric, worst first.
    public var outcome: GateMetricOutcome {
        if nodeWithoutData { return .noData }
        if value == nil { return .notJudged }
        if underCeiling == .failed { return .overCeiling }
        if regression == .failed { return .regressed }
        if settled == .failed { return .notSettled }
        return .settled
    }
}

/// One wave node in a poll: whether it had data, whether its probe failed, each metric's evidence,
/// and the failing streak the decision left it with.
public struct GateNodeEvidence: Sendable, Equatable {
    /// The node's position in the wave (and in the poll's `nodes`).
    public var index: Int
    /// False when the node had no reading, or a reading without one finite value.
    public var hasData: Bool
    public var probeFailed: Bool
    /// Samples in the poll window, and how many of them lacked the deployed module (0 when not counted).
    public var samples: UInt32
    public var samplesWithoutModule: UInt32
    /// One per `GateMetric`, in order; for a node without data, with its previous values and baseline only.
    public var metrics: [GateMetricEvidence]
    /// Polls in a row the node regressed or was over a ceiling, as the decision left it.
    public var failingStreak: UInt8

    /// The deployed module was in none of the node's samples of the window: it is not running.
    public var moduleAbsent: Bool { samplesWithoutModule > 0 && samplesWithoutModule >= samples }

    /// Stable in this poll: data, no failed probe, the module in every sample, and no rule failed for any metric.
    public var isStable: Bool {
        hasData && !probeFailed && samplesWithoutModule == 0
            && metrics.allSatisfy { [$0.settled, $0.regression, $0.underCeiling].allSatisfy { $0 != .failed } }
    }

    /// Regressed or over a ceiling in this poll.
    public var isFailing: Bool {
        metrics.contains { $0.regression == .failed || $0.underCeiling == .failed }
    }

    /// Over a ceiling in this poll.
    public var isOverCeiling: Bool { metrics.contains { $0.underCeiling == .failed } }
}

/// Why the gate decided what it did after a poll (Docs/DEPLOYMENTS.md, "The gate"): the wave-level
/// counts and every node's per-metric evidence. `lines` renders it as plain text.
public struct GateEvidence: Sendable, Equatable {
    public var verdict: GateVerdict
    public var reason: GateReason
    /// n of "poll n of N".
    public var pollIndex: UInt32
    /// N of "poll n of N": the poll after which the maximum wait has passed, ceil(maximumWait / pollInterval).
    public var pollsMaximum: UInt32
    public var elapsedMilliseconds: UInt64
    public var consecutiveStable: UInt8
    /// The stable polls in a row a wave needs to proceed.
    public var consecutiveStableWanted: UInt8
    public var consecutiveNoData: UInt8
    public var consecutiveFailingWanted: UInt8
    public var minimumWaitMilliseconds: UInt32
    public var baselineWindowMilliseconds: UInt64
    /// The baseline's samples covered less than the minimum wait.
    public var baselineWindowShort: Bool
    /// False when no metric of any node was netted by a control change: the wave was judged against
    /// the baseline alone.
    public var hasControlGroup: Bool
    /// Control nodes in the baseline (0 for the last wave of a rollout to every node).
    public var controlNodes: Int
    public var nodesWithoutData: Int
    public var noDataAllowance: Int
    public var nodes: [GateNodeEvidence]
}
