import Foundation
import Testing
import TestSupport

/// Issue I end to end: the leader of three real coordinators drives a deployment over a real
/// `hotswap-agent` running the real sample service. A good version succeeds through the gate and
/// the node runs it; a version whose probe latency grows once it has run a few seconds is failed by
/// the gate on that latency and rolled back, and the node runs the good version again. The gate's
/// bands for host and module CPU and memory are opened wide (one node has no control group, and a
/// busy test machine's CPU is not the version's doing): the latency decides, as on one machine it
/// must. Both are watched on a pseudo-terminal: the good one with `--no-live` (plain lines only),
/// the bad one with the live view, which draws the node's metrics against their thresholds, the
/// latency regressed. Then the leader's and each follower's `/metrics` count both deployments and the gate's
/// rollback alike, and promtool accepts them; a follower restarted then counts none of it again.
@Suite(.serialized)
struct DeploymentEndToEndTests {
    let cluster: ClusterFixture
    let leader: String
    let work = TemporaryDirectory()
    let module = "sample-\(UInt32.random(in: 0...UInt32.max))"

    init() throws {
        try Prerequisite.requireTools("curl", "openssl", "script")
        cluster = try ClusterFixture(agents: ["node-1"])
        leader = try #require(cluster.agreedLeader())
        try ModuleFixture.awaitModuleRecords(on: try #require(cluster.processes[leader]), token: cluster.token)
    }

    /// A watched deployment ends within its gate's maximum wait (2 min) and its rollback: the
    /// command's own bound, with room for a loaded machine, not a measure of it.
    static let watchTimeout: Duration = .seconds(600)

    /// `timeout`: longer than ExternalCommand's default for a command that waits on the cluster.
    func hotswap(_ arguments: [String], timeout: Duration = ExternalCommand.defaultTimeout) throws -> ExternalCommand.Output {
        let addresses = cluster.apiURLs.joined(separator: ",")
        return try ExternalCommand.run([HotSwapBinary.path] + arguments + ["--addr", addresses, "--ca", cluster.certificates.ca],
                                       environment: cluster.commandLineEnvironment(), timeout: timeout)
    }

    /// `hotswap` with its standard output on a pseudo-terminal (util-linux's `script`), as a person
    /// at a terminal runs it; `script` exits with the command's status.
    func hotswapOnTerminal(_ arguments: [String]) throws -> ExternalCommand.Output {
        let command = [HotSwapBinary.path] + arguments + ["--addr", cluster.apiURLs.joined(separator: ","), "--ca", cluster.certificates.ca]
        let quoted = command.map { "'" + $0.replacingOccurrences(of: "'", with: #"'\''"#) + "'" }.joined(separator: " ")
        return try ExternalCommand.run(["script", "--quiet", "--flush", "--return", "--command", quoted, "/dev/null"],
                                       environment: cluster.commandLineEnvironment(["TERM": "xterm"]), timeout: Self.watchTimeout)
    }

    /// Polls of 1 s over a 3 s window; the latency band's floor (20 ms) above a loaded machine's
    /// jitter and below what the flaw adds within seconds; CPU and memory never decide.
    static let policy = """
        {"gate": {"pollIntervalMilliseconds": 1000, "minimumWaitMilliseconds": 15000, "maximumWaitMilliseconds": 120000,
                  "consecutiveStable": 3, "consecutiveFailing": 3,
                  "cpu": {"percent": 100, "floor": 1000}, "memory": {"percent": 100, "floor": 100000},
                  "latency": {"percent": 15, "floor": 20},
                  "hostCPUCeilingPercent": 100, "hostMemoryCeilingPercent": 100, "onFailure": "rollback"}}
        """

    @Test func aGoodVersionSucceedsAndABadOneIsRolledBackByTheGate() throws {
        let reservation = try #require(LoopbackPort.Reservation(belowEphemeralRange: ()))
        defer { reservation.release() }
        let port = Int(reservation.port)
        let coordinator = try #require(cluster.processes[leader])
        for (version, flaw) in [("1.0.0", []), ("1.1.0", []), ("2.0.0", ["--flaw", "latency", "--flaw-after", "3"])] {
            let packed = try SampleServiceModule(module, version, port: port, flaw: flaw, in: work)
            let answer = try coordinator.request("PUT", "/api/v1/modules/\(module)/\(version)", token: cluster.token,
                                                 extra: ["-H", "Expect:", "-T", packed.path])
            #expect(answer.status == 201, "\(answer.body)")
        }
        let agent = try AgentProcess(tlsDirectory: cluster.certificates.tlsDirectory, coordinators: cluster.agentAddresses,
                                     separateExecutable: true)
        defer { _ = agent.stop(); agent.endModules() }
        #expect(eventually { cluster.nodes(via: leader)["node-1"]?["status"] as? String == "live" })
        let installed = try hotswap(["node", "install", "node-1", module, "1.0.0", "--wait", "90s"], timeout: .seconds(120))
        #expect(installed.status == 0, "\(installed.combined)\n\(agent.log.text)")
        let policyFile = work.file("policy.json")
        try Data(Self.policy.utf8).write(to: URL(fileURLWithPath: policyFile))
        let policy = try hotswap(["env", "policy", "development", "--set-json", policyFile])
        #expect(policy.status == 0, "\(policy.combined)")

        let good = try hotswapOnTerminal(["deploy", module, "1.1.0", "--env", "development", "--watch", "--no-live", "--timeout", "10m"])
        #expect(good.status == 0, "\(good.combined)\n\(agent.log.text)")
        #expect(good.standardOutput.contains("succeeded") && !good.standardOutput.contains("\u{1B}"),
                "--no-live: plain lines on a terminal too: \(good.standardOutput)")
        #expect(SampleServiceModule.serving(on: port) == "1.1.0")

        let bad = try hotswapOnTerminal(["deploy", module, "2.0.0", "--env", "development", "--watch", "--timeout", "10m"])
        #expect(bad.status == 1, "\(bad.combined)")
        #expect(bad.standardOutput.contains("rolled_back"), "\(bad.standardOutput)")
        #expect(bad.standardOutput.contains("regressed"), "the gate failed the wave on its numbers: \(bad.standardOutput)")
        for drawn in ["\u{1B}[?7l", "NODE", "LATENCY ms", "REGRESSED", "node-1"] {
            #expect(bad.standardOutput.contains(drawn), "the live view on a terminal shows \(drawn): \(bad.standardOutput)")
        }
        #expect(eventually(timeout: .seconds(30)) { SampleServiceModule.serving(on: port) == "1.1.0" })
        let listed = try hotswap(["deployment", "list", "-o", "json"])
        #expect(listed.standardOutput.contains("succeeded") && listed.standardOutput.contains("rolled_back"), "\(listed.standardOutput)")
        let metrics = expectMetricsCountTheDeployments()
        try expectARestartedFollowerCountsNothingAgain()
        try expectPromtoolAccepts(metrics)
    }
}
