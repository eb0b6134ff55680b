import Fleet
import Rollout

/// Deployments for the deployment tests: a state with module `web` 2.0.0 recorded, plans of a few
/// waves, and the driver's commands with fixed times.
enum DeploymentFixtures {
    static let createdAt: UInt64 = 1_750_000_000_000
    static let day: UInt64 = 86_400_000

    /// A new cluster's state (default environments) with `web` 1.0.0 and 2.0.0 and `api` 2.0.0 recorded.
    static func state() -> FleetState {
        var state = FleetState()
        for (name, version) in [("web", "1.0.0"), ("web", "2.0.0"), ("api", "2.0.0")] {
            state.applyNext(.putModule(ModuleStateTests.record(name, version)))
        }
        return state
    }

    /// A plan of `sizes.count` waves with `sizes[k]` nodes in wave k, named `n<k>-<i>`.
    static func record(_ id: String = "d1", module: String = "web", environment: String = "development",
                       sizes: [Int] = [1, 2], onFailure: GateFailurePolicy = .rollback) -> DeploymentRecord {
        var gate = GateSettings()
        gate.onFailure = onFailure
        let nodes = sizes.enumerated().flatMap { wave, size in
            (0..<size).map { DeploymentNode(id: "n\(wave)-\($0)", wave: UInt16(wave), previousVersion: "1.0.0") }
        }
        return DeploymentRecord(id: id, module: module, version: "2.0.0", environment: environment, strategy: .canary,
                                gate: gate, createdBy: "alice", createdAtMilliseconds: createdAt,
                                waves: Array(repeating: WaveRecord(), count: sizes.count), nodes: nodes)
    }

    static func baseline(_ size: Int) -> GateBaseline {
        GateBaseline(nodes: Array(repeating: MetricValues([.hostCPU: 20, .probeLatency: 12.5]), count: size),
                     control: Array(repeating: MetricValues([.hostCPU: 21]), count: 3), windowMilliseconds: 120_000)
    }

    static func decision(_ verdict: GateVerdict, poll: UInt32, size: Int, reason: GateReason? = nil) -> GateDecision {
        let readings = (0..<size).map { index -> NodeReading? in
            index == 0 && size > 1 ? nil : NodeReading(values: MetricValues([.hostCPU: 22, .moduleMemory: 64]), probeFailed: false,
                                                       samples: 30, samplesWithoutModule: 1)
        }
        let poll = GatePoll(index: poll, elapsedMilliseconds: UInt64(poll) * 30_000, nodes: readings,
                            control: [MetricValues([.hostCPU: 20]), nil, MetricValues([.hostCPU: 19, .probeLatency: 3])])
        let because = reason ?? (verdict == .wait ? .settling : verdict == .proceed ? .stable : .regressed)
        return GateDecision(poll: poll, verdict: verdict, reason: because, consecutiveStable: verdict == .proceed ? 3 : 0,
                            failingStreaks: Array(repeating: verdict == .fail ? 3 : 0, count: size), consecutiveNoData: 0)
    }

    /// Starts wave `wave` of `id` and records every one of its nodes' installs as `succeeded`.
    static func install(_ state: inout FleetState, _ id: String = "d1", wave: UInt16, size: Int, succeeded: Bool = true) {
        state.applyNext(.startWave(id: id, wave: wave, baseline: baseline(size), atMilliseconds: createdAt + 1_000))
        for index in 0..<size {
            state.applyNext(.recordNodeInstall(id: id, node: "n\(wave)-\(index)", succeeded: succeeded, detail: "ok",
                                               atMilliseconds: createdAt + 2_000))
        }
    }

    static func control(_ action: DeploymentAction, id: String = "d1", by user: String = "bob") -> FleetCommand {
        .controlDeployment(id: id, action: action, by: user, reason: "because", atMilliseconds: createdAt + 5_000)
    }
}

extension FleetOutcome {
    /// The stored record, or nil for any other outcome.
    var deployment: DeploymentRecord? {
        if case let .deploymentStored(record, _) = self { return record }
        return nil
    }

    /// The change, or nil for any other outcome.
    var deploymentChange: DeploymentChange? {
        if case let .deploymentStored(_, change) = self { return change }
        return nil
    }
}
