import Fleet
import HostInstall
import Rollout

/// A running deployment: start the next wave with its baseline, install its nodes within the
/// deployment's concurrency, record each node's ending, and poll the gate on schedule.
extension DeploymentDriver {
    /// The shortest window a poll reads: three samples of an agent reporting at 1 Hz.
    static let pollWindowMinimumMilliseconds: UInt64 = 3_000

    mutating func running(_ deployment: DeploymentRecord, now: UInt64, readings: ReadingSource) -> [Action] {
        guard let wave = deployment.activeWave else {
            guard let next = deployment.waves.firstIndex(where: { $0.state == .pending }),
                  deployment.waves[..<next].allSatisfy({ $0.state == .passed }) else { return [] }
            return propose("start/\(deployment.id)/\(next)", .startWave(
                id: deployment.id, wave: UInt16(next), baseline: baseline(of: deployment, wave: next, now: now, readings: readings),
                atMilliseconds: now), now: now)
        }
        switch deployment.waves[wave].state {
        case .installing: return installs(deployment, wave: wave, now: now)
        case .gating: return poll(deployment, wave: wave, now: now, readings: readings)
        case .pending, .passed, .failed: return []
        }
    }

    /// Records what ended, places what is due: at most `installConcurrency` installs in flight.
    private mutating func installs(_ deployment: DeploymentRecord, wave: Int, now: UInt64) -> [Action] {
        var actions = recordEnded(deployment, now: now)
        var inFlight = orders.count { $0.key.deployment == deployment.id && $0.key.kind == .install && $0.value.inFlight }
        for index in deployment.nodeIndices(ofWave: wave) where deployment.nodes[index].state == .installing {
            guard inFlight < Int(deployment.installConcurrency) else { break }
            let node = deployment.nodes[index]
            let key = OrderKey(deployment: deployment.id, node: node.id, kind: .install)
            let operation = OperationID(deploymentID: deployment.id, wave: UInt32(wave), kind: .install(version: deployment.version))
            if let action = place(key, module: deployment.module, operation: operation, strategy: deployment.installStrategy, now: now) {
                actions.append(action)
                inFlight += 1
            }
        }
        return actions
    }

    /// Places `key`'s order unless it is in flight, ended, or waiting for its retry.
    mutating func place(_ key: OrderKey, module: String, operation: OperationID, strategy: InstallStrategy,
                        now: UInt64) -> Action? {
        var order = orders[key] ?? Order()
        guard !order.inFlight, order.ending == nil, now >= order.retryAt else { return nil }
        if order.countingSince == nil { order.countingSince = now }
        order.placedAt = now
        order.inFlight = true
        orders[key] = order
        return .order(OrderRequest(key: key, module: module, operation: operation, strategy: strategy))
    }

    /// Proposes the ending of every order of the deployment that ended, or whose node is past its
    /// deadline (a node that does not answer in time counts as failed: one hung host cannot stall
    /// the fleet; time waiting for capacity does not count).
    mutating func recordEnded(_ deployment: DeploymentRecord, now: UInt64) -> [Action] {
        var actions: [Action] = []
        for node in deployment.nodes where node.state == .installing || node.state == .rollingBack {
            let kind: OrderKind = node.state == .installing ? .install : .rollback
            let key = OrderKey(deployment: deployment.id, node: node.id, kind: kind)
            guard var order = orders[key] else { continue }
            if order.ending == nil, order.elapsed(at: now) >= limits.orderDeadlineMilliseconds {
                let last = order.lastDetail.isEmpty ? "" : "; last: \(order.lastDetail)"
                order.ending = .failed(detail: "no answer within \(limits.orderDeadlineMilliseconds / 1_000) s\(last)")
                orders[key] = order
            }
            guard let ending = order.ending else { continue }
            let (succeeded, detail): (Bool, String) = switch ending {
            case let .succeeded(detail, runs):
                Self.wrongVersion(runs, node: node, kind: kind, version: deployment.version).map { (false, "\($0) (\(detail))") }
                    ?? (true, detail)
            case let .failed(detail), let .retry(detail), let .busy(detail): (false, detail)
            }
            let bounded = detail.truncated(toUTF8Bytes: DeploymentRecord.textBytesMaximum)
            let command: FleetCommand = kind == .install
                ? .recordNodeInstall(id: deployment.id, node: node.id, succeeded: succeeded, detail: bounded, atMilliseconds: now)
                : .recordNodeRollback(id: deployment.id, node: node.id, succeeded: succeeded, detail: bounded, atMilliseconds: now)
            actions += propose("\(kind == .install ? "install" : "rollback")/\(deployment.id)/\(node.id)", command, now: now)
        }
        return actions
    }

    /// Why a host's "done" is not, from the version it names as committed after the order (nil:
    /// none); nil when it may be taken. An install must have committed the deployment's version. A
    /// switch back must have left it, and must not have left the node with none when the plan
    /// saw one running: a host that kept nothing to switch back to withdraws the version. Any
    /// other version after a switch back is taken, as the plan's previous version is the
    /// coordinator's copy of what the host reported, which may lag behind the host.
    static func wrongVersion(_ runs: String?, node: DeploymentNode, kind: OrderKind, version: String) -> String? {
        switch kind {
        case .install:
            return runs == version ? nil : "after the install the node runs \(runs ?? "no version"), not \(version)"
        case .rollback:
            if runs == version { return "after the switch back the node still runs \(version)" }
            if runs == nil, let previous = node.previousVersion { return "after the switch back the node runs no version, not \(previous)" }
            return nil
        }
    }

    /// The gate's next poll once it is due: a poll interval after the last one (or after the
    /// installs finished). Each poll reads the last max(poll interval, 3 s) before now, but
    /// nothing from before the installs finished: a sliding window, so polls of 1 s against
    /// samples of 1 Hz still see samples; after a pause or a failover it is the same window.
    private mutating func poll(_ deployment: DeploymentRecord, wave: Int, now: UInt64, readings: ReadingSource) -> [Action] {
        let record = deployment.waves[wave]
        guard let since = record.gatingSinceMilliseconds, let baseline = record.baseline else { return [] }
        let interval = UInt64(deployment.gate.pollIntervalMilliseconds)
        let lastEnd = since &+ (record.decisions.last?.poll.elapsedMilliseconds ?? 0)
        guard now >= lastEnd &+ interval, now > since else { return [] }
        let from = max(since, now &- min(now, max(interval, Self.pollWindowMinimumMilliseconds)))
        let waveNodes = deployment.nodeIndices(ofWave: wave).map { deployment.nodes[$0].id }
        let control = controlGroup(of: deployment, wave: wave)
        let poll = GatePoll(index: record.decisionCount &+ 1, elapsedMilliseconds: now &- since,
                            nodes: waveNodes.map { readings.reading($0, deployment.module, from, now) },
                            control: control.map { readings.reading($0, deployment.module, from, now)?.values })
        let decision = StabilizationGate.decide(settings: deployment.gate, baseline: baseline, previous: record.decisions.last, poll: poll)
        return propose("gate/\(deployment.id)/\(wave)/\(poll.index)", .recordGateDecision(
            id: deployment.id, wave: UInt16(wave), decision: decision, atMilliseconds: now), now: now)
    }

    /// The wave's nodes' medians and the control nodes' over the minimum wait before now (or
    /// what samples exist of it).
    private func baseline(of deployment: DeploymentRecord, wave: Int, now: UInt64, readings: ReadingSource) -> GateBaseline {
        let from = now &- min(now, UInt64(deployment.gate.minimumWaitMilliseconds))
        let waveNodes = deployment.nodeIndices(ofWave: wave).map { deployment.nodes[$0].id }
        let oldest = waveNodes.compactMap { readings.earliestSample($0) }.min() ?? now
        let control = controlGroup(of: deployment, wave: wave)
        return GateBaseline(nodes: waveNodes.map { readings.reading($0, deployment.module, from, now)?.values },
                            control: control.map { readings.reading($0, deployment.module, from, now)?.values },
                            windowMilliseconds: now &- max(from, min(oldest, now)))
    }

    /// The control group, the same at the wave's start and at each of its polls: the first
    /// `GateBaseline.controlNodesMaximum` nodes of the waves after `wave`, in the record's node order
    /// (nodes not yet on the new version, since waves run one after another).
    private func controlGroup(of deployment: DeploymentRecord, wave: Int) -> [String] {
        Array(deployment.nodes.lazy.filter { Int($0.wave) > wave }.map(\.id).prefix(GateBaseline.controlNodesMaximum))
    }
}
