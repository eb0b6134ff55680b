import Foundation
import Testing
import TestSupport

/// A leader `kill -9`ed while a deployment's wave is gating: the next leader resumes the
/// deployment from the replicated record (the wave's baseline and decisions), polls the gate with
/// the readings of the agent that re-attached to it, and the deployment succeeds with the node on
/// the new version.
@Suite(.serialized)
struct DeploymentFailoverTests {
    let work = TemporaryDirectory()
    let module = "sample-\(UInt32.random(in: 0...UInt32.max))"

    /// Gated for at least 20 s: long enough to kill the leader while the wave is gating.
    static let policy = """
        {"gate": {"pollIntervalMilliseconds": 1000, "minimumWaitMilliseconds": 20000, "maximumWaitMilliseconds": 180000,
                  "cpu": {"percent": 100, "floor": 1000}, "memory": {"percent": 100, "floor": 100000},
                  "latency": {"percent": 15, "floor": 50}, "hostCPUCeilingPercent": 100, "hostMemoryCeilingPercent": 100}}
        """

    func hotswap(_ cluster: ClusterFixture, _ arguments: [String]) throws -> ExternalCommand.Output {
        let addresses = cluster.live.compactMap { cluster.processes[$0]?.apiURL }.joined(separator: ",")
        return try ExternalCommand.run([HotSwapBinary.path] + arguments + ["--addr", addresses, "--ca", cluster.certificates.ca],
                                       environment: cluster.commandLineEnvironment())
    }

    func deployment(_ id: String, on cluster: ClusterFixture) -> [String: Any]? {
        guard let output = try? hotswap(cluster, ["deployment", "show", id, "-o", "json"]), output.status == 0 else { return nil }
        return (try? JSONSerialization.jsonObject(with: Data(output.standardOutput.utf8))) as? [String: Any]
    }

    @Test func aDeploymentGatingWhenItsLeaderIsKilledCompletesUnderTheNext() throws {
        try Prerequisite.requireTools("curl", "openssl")
        let cluster = try ClusterFixture(agents: ["node-1"])
        let leader = try #require(cluster.agreedLeader())
        try ModuleFixture.awaitModuleRecords(on: try #require(cluster.processes[leader]), token: cluster.token)
        let reservation = try #require(LoopbackPort.Reservation(belowEphemeralRange: ()))
        defer { reservation.release() }
        let port = Int(reservation.port)
        for version in ["1.0.0", "1.1.0"] {
            let packed = try SampleServiceModule(module, version, port: port, in: work)
            let answer = try #require(cluster.processes[leader]).request(
                "PUT", "/api/v1/modules/\(module)/\(version)", token: cluster.token, extra: ["-H", "Expect:", "-T", packed.path])
            #expect(answer.status == 201, "\(answer.body)")
        }
        let agent = try AgentProcess(name: "node-1", tlsDirectory: cluster.certificates.tlsDirectory,
                                     coordinators: cluster.agentAddresses, extraArguments: ["--interval", "500ms"])
        defer { _ = agent.stop(); agent.endModules() }
        #expect(eventually { cluster.nodes(via: leader)["node-1"]?["status"] as? String == "live" })
        let installed = try hotswap(cluster, ["node", "install", "node-1", module, "1.0.0", "--wait", "90s"])
        #expect(installed.status == 0, "\(installed.combined)\n\(agent.log.text)")
        let policyFile = work.file("policy.json")
        try Data(Self.policy.utf8).write(to: URL(fileURLWithPath: policyFile))
        #expect(try hotswap(cluster, ["env", "policy", "development", "--set-json", policyFile]).status == 0)

        let started = try hotswap(cluster, ["deploy", module, "1.1.0", "--env", "development", "-o", "json"])
        #expect(started.status == 0, "\(started.combined)")
        let id = try #require(((try? JSONSerialization.jsonObject(with: Data(started.standardOutput.utf8))) as? [String: Any])?["id"]
            as? String, "\(started.standardOutput)")
        let gating = eventually(timeout: .seconds(90)) {
            ((deployment(id, on: cluster)?["waves"] as? [[String: Any]])?.first?["state"] as? String) == "gating"
        }
        try #require(gating, "the wave never gated: \(deployment(id, on: cluster) ?? [:])\n\(agent.log.text)")

        cluster.kill(leader)
        let next = try #require(cluster.agreedLeader(timeout: .seconds(30)))
        #expect(next != leader)
        let ended = eventually(timeout: .seconds(180), every: .milliseconds(500)) {
            (deployment(id, on: cluster)?["state"] as? String).map { !["running", "paused", "rolling_back"].contains($0) } ?? false
        }
        let record = deployment(id, on: cluster) ?? [:]
        #expect(ended && record["state"] as? String == "succeeded", "\(record)\n\(agent.log.text)")
        #expect(SampleServiceModule.serving(on: port) == "1.1.0")
    }
}
