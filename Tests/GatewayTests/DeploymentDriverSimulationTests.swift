import Fleet
import Gateway
import Rollout
import Testing

/// The deployment driver against simulated hosts (`DriverWorld`): good and bad versions, every
/// strategy, and seeds with failovers, lost proposals, lost answers and a hung host. After every
/// step: never two waves of a deployment in flight, never a wave started past a failed gate; at the
/// end every deployment is terminal, a succeeded one left every node on its version and a rolled
/// back one left every node of its waves on the version it ran before.
@Suite struct DeploymentDriverSimulationTests {
    @Test(arguments: RolloutStrategy.allCases)
    func aGoodVersionSucceedsOnEveryNode(strategy: RolloutStrategy) throws {
        var world = DriverWorld(seed: 1, nodes: 7)
        #expect(world.deploy("d1", version: "2.0.0", strategy: strategy)?.deployment != nil)
        world.run(forMilliseconds: 600_000) { Self.holdInvariants($0) }
        let deployment = try #require(world.state.deployments["d1"])
        #expect(deployment.state == .succeeded)
        #expect(world.hosts.values.allSatisfy { $0.current == "2.0.0" })
        #expect(deployment.waves.allSatisfy { $0.passedBy == .gate })
    }

    @Test func aBadVersionIsCaughtByTheGateAndRolledBack() throws {
        var world = DriverWorld(seed: 2, nodes: 10)
        world.bad = "2.0.0"
        _ = world.deploy("d1", version: "2.0.0")
        world.run(forMilliseconds: 600_000) { Self.holdInvariants($0) }
        let deployment = try #require(world.state.deployments["d1"])
        #expect(deployment.state == .rolledBack)
        let failed = try #require(deployment.waves.first { $0.state == .failed })
        #expect(failed.decisions.last?.verdict == .fail)
        #expect(failed.decisions.last?.reason == .regressed)
        #expect(deployment.waves.dropFirst().allSatisfy { $0.state == .pending }, "no wave after the first started")
        #expect(world.hosts.values.allSatisfy { $0.current == "1.0.0" })
    }

    /// The blocker of the gate review: a version whose process is gone from every sample fails its
    /// wave at the first poll ("module not running") and is rolled back.
    @Test func aVersionThatIsNotRunningFailsItsWaveAndIsRolledBack() throws {
        var world = DriverWorld(seed: 5, nodes: 10)
        world.crashing = "2.0.0"
        _ = world.deploy("d1", version: "2.0.0")
        world.run(forMilliseconds: 600_000) { Self.holdInvariants($0) }
        let deployment = try #require(world.state.deployments["d1"])
        #expect(deployment.state == .rolledBack)
        let failed = try #require(deployment.waves.first { $0.state == .failed })
        #expect(failed.decisions.count == 1 && failed.decisions.last?.reason == .moduleDown)
        #expect(world.hosts.values.allSatisfy { $0.current == "1.0.0" })
    }

    /// The control group is the first 64 nodes of the later waves, the same at a wave's start and
    /// at each of its polls: 70 nodes in waves of 2 have 64 control nodes until fewer remain.
    @Test func theControlGroupIsAtMostTheFirst64NodesOfTheLaterWaves() throws {
        var world = DriverWorld(seed: 6, nodes: 70)
        _ = world.deploy("d1", version: "2.0.0", strategy: .rolling)
        world.run(forMilliseconds: 1_200_000) { Self.holdInvariants($0) }
        let deployment = try #require(world.state.deployments["d1"])
        #expect(deployment.state == .succeeded)
        let counts = deployment.waves.map { $0.baseline?.control.count ?? -1 }
        #expect(counts == deployment.waves.indices.map { min(64, 70 - 2 * ($0 + 1)) })
        #expect(deployment.waves.allSatisfy { wave in wave.decisions.allSatisfy { $0.poll.control.count == wave.baseline?.control.count } })
    }

    @Test func aHungHostFailsItsWaveAtTheDeadlineInsteadOfStallingIt() throws {
        var world = DriverWorld(seed: 3, nodes: 4)
        world.hosts["node-00"]?.hung = true
        _ = world.deploy("d1", version: "2.0.0", strategy: .direct)
        world.run(forMilliseconds: 600_000) { Self.holdInvariants($0) }
        let deployment = try #require(world.state.deployments["d1"])
        #expect(deployment.state == .failed, "the hung host's switch back never answers either")
        #expect(deployment.nodes.first { $0.id == "node-00" }?.state == .rollbackFailed)
        #expect(world.hosts.filter { $0.key != "node-00" }.values.allSatisfy { $0.current == "1.0.0" })
    }

    @Test(arguments: 0..<40)
    func failoversLostProposalsAndLostAnswersChangeNothingButTime(seed: UInt64) throws {
        var world = DriverWorld(seed: 100 + seed, nodes: 1 + Int(seed % 9))
        world.weather = DriverWorld.Weather(failoverPerStep: 8, lostProposal: 100, lostAnswer: 100)
        let bad = seed.isMultiple(of: 2)
        if bad { world.bad = "2.0.0" }
        _ = world.deploy("d1", version: "2.0.0", strategy: RolloutStrategy.allCases[Int(seed) % 4])
        world.run(forMilliseconds: 1_800_000) { Self.holdInvariants($0) }
        let deployment = try #require(world.state.deployments["d1"])
        #expect(deployment.state == (bad ? .rolledBack : .succeeded), "seed \(seed), \(world.failovers) failovers")
        #expect(world.hosts.values.allSatisfy { $0.current == (bad ? "1.0.0" : "2.0.0") }, "seed \(seed)")
    }

    @Test func aSecondDeploymentOfTheModuleWaitsForTheFirstToFinish() {
        var world = DriverWorld(seed: 4, nodes: 3)
        _ = world.deploy("d1", version: "2.0.0")
        #expect(world.deploy("d2", version: "2.1.0") == .rejected(.deploymentInProgress(id: "d1")))
        world.run(forMilliseconds: 600_000) { Self.holdInvariants($0) }
        #expect(world.deploy("d2", version: "2.1.0")?.deployment != nil)
        world.run(forMilliseconds: 600_000) { Self.holdInvariants($0) }
        #expect(world.state.deployments["d2"]?.state == .succeeded)
        #expect(world.hosts.values.allSatisfy { $0.current == "2.1.0" })
    }

    /// What must hold after every step.
    static func holdInvariants(_ state: FleetState) {
        for deployment in state.deployments.values {
            let inFlight = deployment.waves.count { $0.state == .installing || $0.state == .gating }
            #expect(inFlight <= 1, "deployment \(deployment.id) has \(inFlight) waves in flight")
            if let failed = deployment.waves.firstIndex(where: { $0.state == .failed }) {
                #expect(deployment.waves[(failed + 1)...].allSatisfy { $0.state == .pending },
                        "deployment \(deployment.id) started a wave past its failed gate")
            }
        }
    }
}

extension FleetOutcome {
    /// The stored record, or nil for any other outcome.
    var deployment: DeploymentRecord? {
        if case let .deploymentStored(record, _) = self { return record }
        return nil
    }
}
