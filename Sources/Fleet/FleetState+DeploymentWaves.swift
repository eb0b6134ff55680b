import Rollout

/// What the leader's driver records of a deployment (Docs/DEPLOYMENTS.md, "Replicated
/// deployments"): waves started, nodes' installs and rollbacks, gate decisions. A command retried
/// across a failover finds its result recorded and changes nothing (`DeploymentChange.unchanged`).
extension FleetState {
    /// The first pending wave of a running deployment starts, every earlier one passed; its nodes
    /// install. A wave already started is a repeat.
    mutating func startWave(_ id: String, wave: UInt16, baseline: GateBaseline, at: UInt64) -> FleetOutcome {
        changeDeployment(id) { record in
            let index = Int(wave)
            guard index < record.waves.count else { return .failure(.invalidDeploymentStep(id: id, reason: "it has no wave \(wave)")) }
            guard record.waves[index].state == .pending else { return .success(.unchanged) }
            guard record.state == .running else { return .failure(.invalidTransition(id: id, from: record.state, action: "start a wave")) }
            guard record.waves[..<index].allSatisfy({ $0.state == .passed }) else {
                return .failure(.invalidDeploymentStep(id: id, reason: "wave \(wave) is not next"))
            }
            let members = record.nodeIndices(ofWave: index)
            guard baseline.nodes.count == members.count else {
                let reason = "a baseline of \(baseline.nodes.count) nodes for a wave of \(members.count)"
                return .failure(.invalidDeploymentStep(id: id, reason: reason))
            }
            guard baseline.control.count <= GateBaseline.controlNodesMaximum else {
                let reason = "a baseline of \(baseline.control.count) control nodes, over \(GateBaseline.controlNodesMaximum)"
                return .failure(.invalidDeploymentStep(id: id, reason: reason))
            }
            guard baseline.isFinite else { return .failure(.invalidDeploymentStep(id: id, reason: "a baseline value is not finite")) }
            record.waves[index].state = .installing
            record.waves[index].startedAtMilliseconds = at
            record.waves[index].baseline = baseline
            for member in members {
                record.nodes[member].state = .installing
                record.nodes[member].detail = ""
            }
            record.stateReason = "wave \(wave) installing"
            return .success(.wave(index: wave, state: .installing))
        }
    }

    /// An installing node's result. A repeat of the recorded result, or a result for a node whose
    /// rollback has begun, changes nothing. In a running or paused deployment, the wave's last
    /// result moves the wave on (`closeWaveIfInstalled`); in an aborted one only the node is recorded.
    mutating func recordNodeInstall(_ id: String, node: String, succeeded: Bool, detail: String, at: UInt64) -> FleetOutcome {
        changeDeployment(id) { record in
            guard let index = record.nodes.firstIndex(where: { $0.id == node }) else {
                return .failure(.invalidDeploymentStep(id: id, reason: "node '\(node)' is not in its plan"))
            }
            let result: DeploymentNodeState = succeeded ? .installed : .installFailed
            switch record.nodes[index].state {
            case .installing: break
            case result, .rollingBack, .rolledBack, .rollbackFailed: return .success(.unchanged)
            case .pending, .installed, .installFailed:
                return .failure(.invalidDeploymentStep(id: id, reason: "node '\(node)' is \(record.nodes[index].state), not installing"))
            }
            record.nodes[index].state = result
            record.nodes[index].detail = DeploymentRecord.reasonText(detail)
            let wave = record.nodes[index].wave
            if record.state == .running || record.state == .paused, let moved = record.closeWaveIfInstalled(Int(wave), at: at) {
                return .success(.wave(index: wave, state: moved))
            }
            return .success(.node(id: node, state: result))
        }
    }

    /// A decision on the gating wave of a running deployment, kept with the newest
    /// `WaveRecord.decisionsKept(waveNodes:)`. Wait is stored; proceed passes the wave; fail follows
    /// `gate.onFailure`: roll back, pause (the wave stays gating), or record only (the wave passes as
    /// a dry run). A decision whose poll index is at most the wave's count is a repeat; any index
    /// but the count's next is refused.
    mutating func recordGateDecision(_ id: String, wave: UInt16, decision: GateDecision, at: UInt64) -> FleetOutcome {
        changeDeployment(id) { record in
            let index = Int(wave)
            guard index < record.waves.count else { return .failure(.invalidDeploymentStep(id: id, reason: "it has no wave \(wave)")) }
            let count = record.waves[index].decisionCount
            if decision.poll.index <= count { return .success(.unchanged) }
            guard record.state == .running else {
                return .failure(.invalidTransition(id: id, from: record.state, action: "record a gate decision"))
            }
            guard record.waves[index].state == .gating else {
                return .failure(.invalidDeploymentStep(id: id, reason: "wave \(wave) is \(record.waves[index].state), not gating"))
            }
            guard decision.poll.index == count &+ 1 else {
                let reason = "poll \(decision.poll.index) of wave \(wave) does not follow its \(count) decisions"
                return .failure(.invalidDeploymentStep(id: id, reason: reason))
            }
            let size = record.nodeIndices(ofWave: index).count
            guard decision.poll.nodes.count == size, decision.failingStreaks.count == size else {
                let reason = "a decision on \(decision.poll.nodes.count) nodes for a wave of \(size)"
                return .failure(.invalidDeploymentStep(id: id, reason: reason))
            }
            let controlNodes = record.waves[index].baseline?.control.count ?? 0
            guard decision.poll.control.count == controlNodes else {
                let reason = "a decision on \(decision.poll.control.count) control nodes for a baseline of \(controlNodes)"
                return .failure(.invalidDeploymentStep(id: id, reason: reason))
            }
            guard decision.isFinite else { return .failure(.invalidDeploymentStep(id: id, reason: "a gate value is not finite")) }
            let kept = WaveRecord.decisionsKept(waveNodes: size)
            record.waves[index].decisions = Array((record.waves[index].decisions + [decision]).suffix(kept))
            if record.waves[index].decisionCount < .max { record.waves[index].decisionCount += 1 }
            return .success(record.follow(decision, ofWave: index, at: at))
        }
    }

    /// A rolling-back node's result; the last one ends the rollback of a rolling-back deployment.
    /// A repeat of the recorded result changes nothing.
    mutating func recordNodeRollback(_ id: String, node: String, succeeded: Bool, detail: String, at: UInt64) -> FleetOutcome {
        changeDeployment(id) { record in
            guard let index = record.nodes.firstIndex(where: { $0.id == node }) else {
                return .failure(.invalidDeploymentStep(id: id, reason: "node '\(node)' is not in its plan"))
            }
            let result: DeploymentNodeState = succeeded ? .rolledBack : .rollbackFailed
            switch record.nodes[index].state {
            case .rollingBack: break
            case result: return .success(.unchanged)
            case .pending, .installing, .installed, .installFailed, .rolledBack, .rollbackFailed:
                return .failure(.invalidDeploymentStep(id: id, reason: "node '\(node)' is \(record.nodes[index].state), not rolling back"))
            }
            record.nodes[index].state = result
            record.nodes[index].detail = DeploymentRecord.reasonText(detail)
            record.finishRollbackIfDone(at: at)
            return .success(.node(id: node, state: result))
        }
    }
}

extension DeploymentRecord {
    /// What a stored decision does to its gating wave and the deployment.
    fileprivate mutating func follow(_ decision: GateDecision, ofWave index: Int, at: UInt64) -> DeploymentChange {
        let wave = UInt16(index)
        switch decision.verdict {
        case .wait:
            return .gate(wave: wave, verdict: .wait, reason: decision.reason)
        case .proceed:
            passWave(index, by: .gate, at: at)
            return .wave(index: wave, state: .passed)
        case .fail:
            let failure = "the gate failed wave \(wave): \(decision.reason)"
            switch gate.onFailure {
            case .rollback:
                waves[index].state = .failed
                waves[index].failure = failure
                beginRollback(at: at, reason: failure + "; rolling back")
                return .wave(index: wave, state: .failed)
            case .pause:
                pause(at: at, reason: failure + "; paused")
                return .gate(wave: wave, verdict: .fail, reason: decision.reason)
            case .recordOnly:
                passWave(index, by: .dryRun, at: at)
                return .wave(index: wave, state: .passed)
            }
        }
    }
}
