import Rollout

/// An environment's approval gate on one deployment: pending until an admin decides or it expires.
public struct ApprovalRecord: Sendable, Equatable {
    public var expiresAtMilliseconds: UInt64
    public var decision: ApprovalDecision
    /// Who decided it, or who withdrew it by aborting or rolling back its deployment; nil while
    /// pending and when it expired.
    public var decidedBy: String?
    /// What the deciding admin wrote (at most 256 bytes).
    public var reason: String
    public var decidedAtMilliseconds: UInt64?

    public init(expiresAtMilliseconds: UInt64, decision: ApprovalDecision = .pending, decidedBy: String? = nil,
                reason: String = "", decidedAtMilliseconds: UInt64? = nil) {
        self.expiresAtMilliseconds = expiresAtMilliseconds
        self.decision = decision
        self.decidedBy = decidedBy
        self.reason = reason
        self.decidedAtMilliseconds = decidedAtMilliseconds
    }
}

/// What became of an approval. Raw values are stored: never reuse one.
public enum ApprovalDecision: UInt8, Sendable, CaseIterable, CustomStringConvertible {
    case pending = 1, approved, rejected, expired
    /// Still pending when its deployment was aborted or rolled back.
    case withdrawn

    /// The API's word for it.
    public var description: String {
        switch self {
        case .pending: "pending"
        case .approved: "approved"
        case .rejected: "rejected"
        case .expired: "expired"
        case .withdrawn: "withdrawn"
        }
    }
}

/// One wave of a deployment: its nodes are those `DeploymentNode`s whose `wave` is its index.
public struct WaveRecord: Sendable, Equatable {
    public var state: WaveState
    public var startedAtMilliseconds: UInt64?
    /// When its installs finished: the gate's time zero.
    public var gatingSinceMilliseconds: UInt64?
    /// The reference the gate judges it against, stored when it starts.
    public var baseline: GateBaseline?
    /// The newest gate decisions, oldest first: `decisionsKept(waveNodes:)` while it runs,
    /// `decisionsKeptFinished` once its deployment is terminal.
    public var decisions: [GateDecision]
    /// Every decision ever recorded for it, the dropped ones too.
    public var decisionCount: UInt32
    public var passedBy: WavePassage?
    /// Why it failed (at most 256 bytes).
    public var failure: String?

    /// The most decisions a wave keeps (and the codec reads).
    public static let decisionsKept = 16
    /// What a wave of a terminal deployment keeps: the last two, enough to say why it ended.
    public static let decisionsKeptFinished = 2
    /// The node readings the decisions of one running wave hold at most (beyond two decisions).
    public static let decisionReadingsKept = 65_536

    /// What a running wave of `waveNodes` nodes keeps: min(16, max(2, 65,536 / nodes)).
    public static func decisionsKept(waveNodes: Int) -> Int {
        min(decisionsKept, max(decisionsKeptFinished, decisionReadingsKept / max(1, waveNodes)))
    }

    public init(state: WaveState = .pending, startedAtMilliseconds: UInt64? = nil, gatingSinceMilliseconds: UInt64? = nil,
                baseline: GateBaseline? = nil, decisions: [GateDecision] = [], decisionCount: UInt32 = 0,
                passedBy: WavePassage? = nil, failure: String? = nil) {
        self.state = state
        self.startedAtMilliseconds = startedAtMilliseconds
        self.gatingSinceMilliseconds = gatingSinceMilliseconds
        self.baseline = baseline
        self.decisions = decisions
        self.decisionCount = decisionCount
        self.passedBy = passedBy
        self.failure = failure
    }
}

/// Where a wave is. Raw values are stored: never reuse one.
public enum WaveState: UInt8, Sendable, CaseIterable, CustomStringConvertible {
    case pending = 1, installing, gating, passed, failed

    /// The API's word for it (each is one word already).
    public var description: String {
        switch self {
        case .pending: "pending"
        case .installing: "installing"
        case .gating: "gating"
        case .passed: "passed"
        case .failed: "failed"
        }
    }
}

/// Why a wave passed.
public enum WavePassage: Sendable, Equatable {
    /// The gate said proceed.
    case gate
    /// A user promoted it past its gate.
    case promoted(by: String)
    /// The gate failed it under a record-only policy, which goes on as if it had passed.
    case dryRun
}

/// One node of a deployment's plan.
public struct DeploymentNode: Sendable, Equatable {
    public var id: String
    public var wave: UInt16
    /// What it ran before, which a rollback returns it to; nil when it ran none.
    public var previousVersion: String?
    public var state: DeploymentNodeState
    /// The agent's last word on it (at most 256 bytes).
    public var detail: String

    public init(id: String, wave: UInt16, previousVersion: String?, state: DeploymentNodeState = .pending, detail: String = "") {
        self.id = id
        self.wave = wave
        self.previousVersion = previousVersion
        self.state = state
        self.detail = detail
    }
}

/// Where one node of a deployment is. Raw values are stored: never reuse one.
public enum DeploymentNodeState: UInt8, Sendable, CaseIterable, CustomStringConvertible {
    case pending = 1, installing, installed, installFailed, rollingBack, rolledBack, rollbackFailed

    /// The API's word for it.
    public var description: String {
        switch self {
        case .pending: "pending"
        case .installing: "installing"
        case .installed: "installed"
        case .installFailed: "install_failed"
        case .rollingBack: "rolling_back"
        case .rolledBack: "rolled_back"
        case .rollbackFailed: "rollback_failed"
        }
    }
}

/// What a user asks of a deployment (`POST /api/v1/deployments/{id}/ACTION`). Raw values are
/// stored: never reuse one.
public enum DeploymentAction: UInt8, Sendable, CaseIterable, CustomStringConvertible {
    case pause = 1, resume, abort, rollback, promote

    public var description: String {
        switch self {
        case .pause: "pause"
        case .resume: "resume"
        case .abort: "abort"
        case .rollback: "rollback"
        case .promote: "promote"
        }
    }
}

/// What one deployment command changed, for the event it is (`FleetEvent`): the record itself is
/// in the outcome. Raw tags are in the outcome codec only.
public enum DeploymentChange: Sendable, Equatable {
    case created
    /// An approval was decided (approved, rejected) or expired.
    case approval(ApprovalDecision)
    /// A user's action.
    case action(DeploymentAction)
    /// A wave moved (started; its installs finished; passed; failed).
    case wave(index: UInt16, state: WaveState)
    /// A node's install or rollback was recorded (when that moved no wave).
    case node(id: String, state: DeploymentNodeState)
    /// A gate decision that moved no wave: its verdict and rule.
    case gate(wave: UInt16, verdict: GateVerdict, reason: GateReason)
    /// A repeat of what is recorded (a command retried across a failover): nothing changed.
    case unchanged
}
