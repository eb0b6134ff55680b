import Rollout

/// An environment's approval gate on one deployment: pending until an admin decides or it expires.
public struct ApprovalRecord: Sendable, Equatable {
    public var expiresAtMilliseconds: UInt64
    public var decision: ApprovalDecision
    /// Nil while pending; `-` when it expired.
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
public enum ApprovalDecision: UInt8, Sendable, CaseIterable {
    case pending = 1, approved, rejected, expired
}

/// One wave of a deployment: its nodes are those `DeploymentNode`s whose `wave` is its index.
public struct WaveRecord: Sendable, Equatable {
    public var state: WaveState
    public var startedAtMilliseconds: UInt64?
    /// When its installs finished: the gate's time zero.
    public var gatingSinceMilliseconds: UInt64?
    /// The reference the gate judges it against, stored when it starts.
    public var baseline: GateBaseline?
    /// The newest `decisionsKept` gate decisions, oldest first.
    public var decisions: [GateDecision]
    /// Every decision ever recorded for it, the dropped ones too.
    public var decisionCount: UInt32
    public var passedBy: WavePassage?
    /// Why it failed (at most 256 bytes).
    public var failure: String?

    public static let decisionsKept = 16

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
public enum WaveState: UInt8, Sendable, CaseIterable {
    case pending = 1, installing, gating, passed, failed
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
public enum DeploymentNodeState: UInt8, Sendable, CaseIterable {
    case pending = 1, installing, installed, installFailed, rollingBack, rolledBack, rollbackFailed
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
