import AgentSimulation
import CommandLineSupport
import FileSystem
import Glibc
import LocalFleet
import Primitives
import Transport

/// One `hotswap bench deploy` measurement: a fresh cluster and its simulated fleet, the module,
/// then every run's canary and rollback. Owns the processes it starts and stops them all before
/// returning.
struct BenchDeployRun {
    struct Figures {
        var overheads: [UInt64] = []
        var pollStretches: [UInt64] = []
        var rollbacks: [UInt64] = []
        var rollbacksSeen: [UInt64] = []
    }

    static let module = "bench-tiny"
    static let firstVersion = "1.0.0"
    static let badVersion = "9.0.0"
    static let pollIntervalMilliseconds: UInt64 = 1_000
    /// Polls of 1 s, a minimum wait of 3 s, two stable (or failing) polls; CPU and memory never
    /// decide and hosts have no ceiling: the simulated latency does.
    static let policy = """
        {"strategyParameters": {"canaryPercents": [10, 30, 60, 100]},
         "gate": {"pollIntervalMilliseconds": 1000, "minimumWaitMilliseconds": 3000, "maximumWaitMilliseconds": 60000,
                  "consecutiveStable": 2, "consecutiveFailing": 2,
                  "cpu": {"percent": 100, "floor": 1000}, "memory": {"percent": 100, "floor": 100000},
                  "latency": {"percent": 50, "floor": 20},
                  "hostCPUCeilingPercent": 100, "hostMemoryCeilingPercent": 100, "onFailure": "rollback"}}
        """
    /// Longer than the minimum wait, so a wave's baseline holds only the version now running.
    static let settle: Duration = .seconds(5)

    let directory: String
    let settings: BenchDeploySettings

    func measure() throws -> Figures {
        let layout = DevLayout(directory: directory, agentCount: 0)
        _ = try DevWorkspace.prepare(layout)
        let admin = try DevAdmin.prepare(layout)
        _ = try SimulatedAgentFleet.prepareCertificates(count: settings.count, tlsDirectory: layout.tlsDirectory)
        let fleet = DevFleet()
        defer { _ = fleet.stopAll { false } }
        let ports = try DevPorts.plan(apiPort: 0, portBase: 0, names: DevLayout.coordinatorNames)
        for (index, name) in DevLayout.coordinatorNames.enumerated() {
            _ = try fleet.startCoordinator(name, arguments: layout.coordinatorArguments(index, ports: ports),
                                           logPath: layout.logPath(name))
        }
        let status = try DevAPI(caPath: layout.caPath, admin: admin)
        defer { status.shutdown() }
        let startup = DevStartup(fleet: fleet, signals: DevSignals(), timeout: .seconds(60))
        let endpoints = try startup.coordinatorEndpoints()
        let leaderName = try startup.agreedLeader(api: status, endpoints: endpoints)
        let leader = endpoints.first { $0.name == leaderName }!
        let agents = try BenchAgentShards(
            count: settings.count, coordinators: endpoints.map(\.agent), layout: layout, rampPerSecond: settings.rampPerSecond,
            fleet: fleet, shardArguments: ["--simulate-installs", "--install-delay-ms", "\(settings.installDelayMilliseconds)",
                                           "--bad-version", Self.badVersion])
        try awaitNodes(status, at: leader.api, fleet: fleet, agents: agents)
        let api = try BenchDeployAPI(caPath: layout.caPath, admin: admin, address: leader.api)
        defer { api.shutdown() }
        try prepareModule(api, layout: layout)
        var figures = Figures()
        for run in 1...settings.runs {
            try DevFleet.requireRunning(fleet.agents)
            try measureCanary(api, version: "2.0.\(run)", run: run, into: &figures)
            sleep(for: Self.settle)
            try measureRollback(api, run: run, into: &figures)
            sleep(for: Self.settle)
        }
        return figures
    }

    /// Waits until every simulated agent is welcomed and recorded as a node of `development`.
    private func awaitNodes(_ status: DevAPI, at address: String, fleet: DevFleet, agents: BenchAgentShards) throws {
        let deadline = MonotonicInstant.now().advanced(by: .seconds(180))
        var recorded = 0
        while MonotonicInstant.now() < deadline {
            try DevFleet.requireRunning(fleet.agents)
            if case let .success(listing) = status.nodes(at: address) {
                recorded = listing.nodes.count { $0.environment == "development" && $0.status == "live" }
                if recorded >= settings.count {
                    StandardOutput.line("\(recorded) simulated nodes recorded and reporting")
                    return
                }
            }
            sleep(for: .milliseconds(500))
        }
        throw BenchDeployFailure("only \(recorded) of \(settings.count) nodes were recorded within 180 s")
    }

    /// Uploads every version the runs deploy, sets the short gate on `development`, and installs
    /// the first version everywhere (a direct deployment whose gate only records: nothing ran before).
    private func prepareModule(_ api: BenchDeployAPI, layout: DevLayout) throws {
        let versions = [Self.firstVersion, Self.badVersion] + (1...settings.runs).map { "2.0.\($0)" }
        for version in versions {
            let packed = try BenchDeployModule.pack(module: Self.module, version: version, into: "\(directory)/modules")
            let deadline = MonotonicInstant.now().advanced(by: .seconds(30))
            while true {
                do {
                    try api.send("PUT", "/api/v1/modules/\(Self.module)/\(version)", body: packed, json: false, expecting: [201])
                    break
                } catch where MonotonicInstant.now() < deadline {
                    sleep(for: .milliseconds(500))
                }
            }
        }
        try api.send("PUT", "/api/v1/environments/development/rollout-policy", body: Array(Self.policy.utf8), expecting: [200])
        let id = try api.startDeployment(body(version: Self.firstVersion, strategy: "direct", onFailure: "recordOnly"))
        let (installed, _) = try awaitEnd(api, id, timeout: .seconds(120))
        guard installed.state == "succeeded" else {
            throw BenchDeployFailure("installing \(Self.firstVersion) everywhere ended \(installed.state)")
        }
        StandardOutput.line("\(Self.module) \(Self.firstVersion) installed on \(settings.count) nodes")
        sleep(for: Self.settle)
    }

    private func measureCanary(_ api: BenchDeployAPI, version: String, run: Int, into figures: inout Figures) throws {
        let id = try api.startDeployment(body(version: version, strategy: "canary", onFailure: nil))
        let (deployment, _) = try awaitEnd(api, id, timeout: .seconds(180))
        guard deployment.state == "succeeded",
              let overhead = DeploymentTimes.overhead(of: deployment, pollIntervalMilliseconds: Self.pollIntervalMilliseconds) else {
            throw BenchDeployFailure("run \(run): the canary of \(version) ended \(deployment.state) (\(id))")
        }
        figures.overheads.append(overhead.overheadMilliseconds)
        figures.pollStretches.append(overhead.waves.reduce(0) { $0 + $1.pollStretchMilliseconds })
        let waves = zip(deployment.waves, overhead.waves).map { wave, part in
            "\(wave.nodes) nodes: install \(part.installMilliseconds), gate \(part.gateMilliseconds) "
                + "(\(wave.decisionCount) polls, stretch \(part.pollStretchMilliseconds)), hand-over \(part.handOverMilliseconds)"
        }
        StandardOutput.line("run \(run): canary \(version) (\(id)) in \(overhead.totalMilliseconds) ms, overhead "
                            + "\(overhead.overheadMilliseconds) ms: start \(overhead.startMilliseconds); "
                            + waves.joined(separator: "; "))
    }

    private func measureRollback(_ api: BenchDeployAPI, run: Int, into figures: inout Figures) throws {
        let id = try api.startDeployment(body(version: Self.badVersion, strategy: "direct", onFailure: nil))
        let (deployment, seenAt) = try awaitEnd(api, id, timeout: .seconds(180))
        guard let rollback = DeploymentTimes.rollbackMilliseconds(of: deployment),
              let finished = deployment.finishedAtMilliseconds else {
            throw BenchDeployFailure("run \(run): the bad version ended \(deployment.state), not rolled back by the gate (\(id))")
        }
        let decided = finished - rollback
        figures.rollbacks.append(rollback)
        figures.rollbacksSeen.append(seenAt - min(seenAt, decided))
        StandardOutput.line("run \(run): \(Self.badVersion) on \(settings.count) nodes (\(id)) failed by the gate and rolled "
                            + "back: \(rollback) ms from the fail decision to the last node's switch back; this bench saw "
                            + "rolled_back \(seenAt - min(seenAt, decided)) ms after the decision")
    }

    private func body(version: String, strategy: String, onFailure: String?) -> String {
        let gate = onFailure.map { ", \"gate\": {\"onFailure\": \"\($0)\"}" } ?? ""
        return "{\"module\": \"\(Self.module)\", \"version\": \"\(version)\", \"environment\": \"development\", "
            + "\"strategy\": \"\(strategy)\", \"installConcurrency\": \(settings.installConcurrency)\(gate)}"
    }

    /// Reads the deployment every 50 ms until it is terminal: the record, and this machine's wall
    /// clock when the bench first saw it so.
    private func awaitEnd(_ api: BenchDeployAPI, _ id: String, timeout: Duration) throws -> (DeploymentTimes.Deployment, UInt64) {
        let deadline = MonotonicInstant.now().advanced(by: timeout)
        let terminal: Set<String> = ["succeeded", "rolled_back", "aborted", "failed"]
        while MonotonicInstant.now() < deadline {
            let deployment = try api.deployment(id)
            if terminal.contains(deployment.state) { return (deployment, WallClock.nowMilliseconds()) }
            sleep(for: .milliseconds(50))
        }
        throw BenchDeployFailure("the deployment \(id) did not end within \(timeout)")
    }
}
