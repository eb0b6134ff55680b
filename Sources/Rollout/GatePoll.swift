/// What one node's samples in a poll window came to: each metric's median, whether any of its
/// health probes failed in the window, and how many of the window's samples lacked the deployed
/// module (a module in none of them is not running).
public struct NodeReading: Sendable, Equatable {
    public var values: MetricValues
    public var probeFailed: Bool
    /// Samples in the window; 0 when not counted.
    public var samples: UInt32
    /// Samples in the window that did not carry the deployed module.
    public var samplesWithoutModule: UInt32

    public init(values: MetricValues, probeFailed: Bool = false, samples: UInt32 = 0, samplesWithoutModule: UInt32 = 0) {
        self.values = values
        self.probeFailed = probeFailed
        self.samples = samples
        self.samplesWithoutModule = samplesWithoutModule
    }

    /// The module was in no sample of the window: it is not running.
    public var moduleAbsent: Bool { samplesWithoutModule > 0 && samplesWithoutModule >= samples }
}

/// One poll of a wave: the wave's nodes' readings, in the wave's node order (nil for a node with
/// no samples in the window), and each control node's medians over the same window, in the
/// baseline's control order (nil for a control node without data).
public struct GatePoll: Sendable, Equatable {
    /// 1 for the wave's first poll.
    public var index: UInt32
    /// Since the wave's installs finished, at the end of this poll's window.
    public var elapsedMilliseconds: UInt64
    public var nodes: [NodeReading?]
    /// Per control node, its medians; empty without a control group.
    public var control: [MetricValues?]

    public init(index: UInt32, elapsedMilliseconds: UInt64, nodes: [NodeReading?], control: [MetricValues?] = []) {
        self.index = index
        self.elapsedMilliseconds = elapsedMilliseconds
        self.nodes = nodes
        self.control = control
    }
}

/// The reference a wave is judged against: each wave node's medians over the window before the
/// wave started (nil for a node with no samples there), and each control node's over the same
/// window (at most `controlNodesMaximum`, in the order the driver picked them).
public struct GateBaseline: Sendable, Equatable {
    public var nodes: [MetricValues?]
    /// Per control node, its medians; empty for the last wave of a rollout to every node.
    public var control: [MetricValues?]
    /// How much of the wanted window (`minimumWait`) the samples covered.
    public var windowMilliseconds: UInt64

    /// The control group is a deterministic sample of at most this many nodes.
    public static let controlNodesMaximum = 64
    /// Control nodes with both values for a metric the control needs to net that metric.
    public static let controlNodesWithDataMinimum = 2

    public init(nodes: [MetricValues?], control: [MetricValues?] = [], windowMilliseconds: UInt64) {
        self.nodes = nodes
        self.control = control
        self.windowMilliseconds = windowMilliseconds
    }
}

/// What the gate says after a poll. Raw values are stored: never reuse one.
public enum GateVerdict: UInt8, Sendable, CaseIterable {
    case wait = 1
    case proceed = 2
    case fail = 3
}

/// Which rule decided a verdict. Raw values are stored: never reuse one.
public enum GateReason: UInt8, Sendable, CaseIterable, CustomStringConvertible {
    /// Wait: not yet enough stable polls in a row, or the minimum wait has not passed.
    case settling = 1
    /// Proceed: enough stable polls in a row after the minimum wait.
    case stable = 2
    /// Fail: the maximum wait passed without the wave proceeding.
    case maximumWait = 3
    /// Fail: a node rose beyond its band over the baseline, net of the control group, poll after poll.
    case regressed = 4
    /// Fail: a node stayed over a ceiling poll after poll.
    case ceiling = 5
    /// Fail: too many nodes had no data poll after poll.
    case noData = 6
    /// Fail: a node's health probe failed.
    case probeFailed = 7
    /// Fail: the deployed module was in none of a node's samples of the poll window.
    case moduleDown = 8

    public var description: String {
        switch self {
        case .settling: "settling"
        case .stable: "stable"
        case .maximumWait: "maximum wait passed"
        case .regressed: "regressed"
        case .ceiling: "over a ceiling"
        case .noData: "no data"
        case .probeFailed: "health probe failed"
        case .moduleDown: "module not running"
        }
    }
}

/// A verdict with the poll it was made from and the streaks it leaves: with the wave's stored
/// baseline and settings, all the gate needs to judge the next poll, so a leader that takes over
/// resumes from the last stored decision.
public struct GateDecision: Sendable, Equatable {
    public var poll: GatePoll
    public var verdict: GateVerdict
    public var reason: GateReason
    /// Stable polls in a row, this one included.
    public var consecutiveStable: UInt8
    /// Per wave node, polls in a row it regressed or was over a ceiling, this one included. A poll
    /// without the node's data leaves its streak as it was.
    public var failingStreaks: [UInt8]
    /// Polls in a row with more nodes without data than allowed, this one included.
    public var consecutiveNoData: UInt8

    public init(poll: GatePoll, verdict: GateVerdict, reason: GateReason, consecutiveStable: UInt8,
                failingStreaks: [UInt8], consecutiveNoData: UInt8) {
        self.poll = poll
        self.verdict = verdict
        self.reason = reason
        self.consecutiveStable = consecutiveStable
        self.failingStreaks = failingStreaks
        self.consecutiveNoData = consecutiveNoData
    }
}
