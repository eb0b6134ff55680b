import Rollout

/// What one applied command counts towards the deployment counters on `/metrics`
/// (Docs/DEPLOYMENTS.md, "Metrics"): a gate verdict, a rollback the gate caused, a deployment
/// finished. Pure: the same log gives every coordinator the same counts. A command proposed
/// audited counts as the command it wraps. A repeat (`DeploymentChange.unchanged`) and a refusal
/// count nothing; nil when nothing counts.
public struct DeploymentTally: Sendable, Equatable {
    /// The verdict of a gate decision stored (a repeat across a failover is not).
    public var verdict: GateVerdict?
    /// A failed verdict that began the rollback of its deployment (`gate.onFailure` rollback).
    public var gateRollback: Bool
    /// The terminal state the deployment reached with this command.
    public var finished: DeploymentState?

    public init(verdict: GateVerdict? = nil, gateRollback: Bool = false, finished: DeploymentState? = nil) {
        self.verdict = verdict
        self.gateRollback = gateRollback
        self.finished = finished
    }

    public init?(command: FleetCommand, outcome: FleetOutcome) {
        guard case let .deploymentStored(record, change) = outcome, change != .unchanged else { return nil }
        var tally = DeploymentTally()
        if case let .recordGateDecision(_, wave, decision, _) = command.unaudited {
            tally.verdict = decision.verdict
            tally.gateRollback = decision.verdict == .fail && change == .wave(index: wave, state: .failed)
        }
        if Self.finishes(record, change) { tally.finished = record.state }
        guard tally != DeploymentTally() else { return nil }
        self = tally
    }

    /// Whether `change` moved `record` into its terminal state. Every change but a node's starts
    /// from an unfinished deployment (its commands refuse a finished one), so one that leaves it
    /// terminal finished it. A node's result finishes it only as the last rollback result of a
    /// rolling-back deployment (rolled back or failed); in an aborted one the node is only
    /// recorded, the deployment having finished with the abort.
    static func finishes(_ record: DeploymentRecord, _ change: DeploymentChange) -> Bool {
        guard record.state.isTerminal else { return false }
        switch change {
        case .unchanged: return false
        case .node: return record.state == .rolledBack || record.state == .failed
        case .created, .approval, .action, .wave, .gate: return true
        }
    }
}

extension FleetCommand {
    /// The command an audited one wraps (at any depth), or this command.
    var unaudited: FleetCommand {
        if case let .audited(_, inner) = self { return inner.unaudited }
        return self
    }
}

extension GateVerdict {
    /// The word `/metrics` labels it with.
    public var metricLabel: String {
        switch self {
        case .wait: "wait"
        case .proceed: "proceed"
        case .fail: "fail"
        }
    }
}
