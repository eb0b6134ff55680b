import Fleet
import Gateway
import HostInstall
import Rollout
import Testing

/// The driver's dangerous paths against simulated hosts (`DriverWorld`): a failed install, a node
/// with nothing to switch back to, bad versions of multi-wave strategies under failovers, users'
/// pauses, resumes, rollbacks and aborts and an approval in the run. After every step the driver's
/// own rules hold (`checkOrders`): at most `installConcurrency` installs in flight per deployment,
/// and every order placed is for a node the record has installing (in its active wave of a running
/// deployment) or rolling back.
@Suite struct DeploymentDriverScenarioTests {
    @Test func aFailedInstallFailsTheWaveAndTheDeploymentRollsBack() throws {
        var world = DriverWorld(seed: 11, nodes: 6)
        #expect(world.deploy("d1", version: "2.0.0", strategy: .rolling)?.deployment != nil)
        let first = try #require(world.state.deployments["d1"]?.nodes.first { $0.wave == 0 }?.id)
        world.hosts[first]?.installFails = true
        world.runChecked(forMilliseconds: 600_000)
        let deployment = try #require(world.state.deployments["d1"])
        #expect(deployment.state == .rolledBack)
        #expect(deployment.waves[0].failure?.hasSuffix("failed to install") == true)
        #expect(deployment.waves.dropFirst().allSatisfy { $0.state == .pending })
        #expect(world.hosts.values.allSatisfy { $0.current == "1.0.0" })
    }

    /// A direct deployment of the bad version 2.0.0 to three hosts on 1.0.0, node-01 changed by
    /// `configure` first, run until it ends: the world and the deployment's record.
    static func badDirectDeployment(seed: UInt64, configure: (inout DriverWorld.Host) -> Void) throws
        -> (DriverWorld, DeploymentRecord) {
        var world = DriverWorld(seed: seed, nodes: 3)
        configure(&world.hosts["node-01"]!)
        world.bad = "2.0.0"
        _ = world.deploy("d1", version: "2.0.0", strategy: .direct)
        world.runChecked(forMilliseconds: 600_000)
        return (world, try #require(world.state.deployments["d1"]))
    }

    /// A node that ran no version has nothing to switch back to: its host withdraws the new
    /// version, as InstallCore does, and the node is rolled back to running none.
    @Test func aNodeWithNoPreviousVersionIsRolledBackToNone() throws {
        let (world, deployment) = try Self.badDirectDeployment(seed: 12) { $0.current = nil }
        #expect(deployment.state == .rolledBack)
        #expect(deployment.nodes.allSatisfy { $0.state == .rolledBack })
        #expect(world.hosts["node-01"]?.current == nil)
        #expect(world.hosts.filter { $0.key != "node-01" }.values.allSatisfy { $0.current == "1.0.0" })
    }

    /// A host that answers its switch back as done but runs no version where the plan saw one (it
    /// kept nothing to switch back to) has not been rolled back: the node's rollback fails saying
    /// what it runs, and the deployment ends failed.
    @Test func aSwitchBackThatLeavesAnotherVersionRunningFails() throws {
        let (world, deployment) = try Self.badDirectDeployment(seed: 13) { $0.keepsNothing = true }
        #expect(deployment.state == .failed, "\(deployment.state): \(deployment.stateReason)")
        let node = try #require(deployment.nodes.first { $0.id == "node-01" })
        #expect(node.state == .rollbackFailed, "\(node)")
        #expect(node.detail == "after the switch back the node runs no version, not 1.0.0 (done)", "\(node)")
        #expect(deployment.nodes.filter { $0.id != "node-01" }.allSatisfy { $0.state == .rolledBack })
        #expect(world.hosts["node-01"]?.current == nil)
    }

    /// A node that already ran the deployment's version is not switched back to an older version
    /// it kept: it is recorded rolled back with nothing to undo, and still runs that version.
    @Test func aNodeAlreadyOnTheVersionIsLeftOnItByARollback() throws {
        let (world, deployment) = try Self.badDirectDeployment(seed: 14) { host in
            host.current = "2.0.0"
            host.retained = "1.0.0"
        }
        #expect(deployment.state == .rolledBack, "\(deployment.state): \(deployment.stateReason)")
        let node = try #require(deployment.nodes.first { $0.id == "node-01" })
        #expect(node.state == .rolledBack && node.detail == DeploymentDriver.nothingToUndo, "\(node)")
        #expect(world.hosts["node-01"]?.current == "2.0.0")
        #expect(world.hosts.filter { $0.key != "node-01" }.values.allSatisfy { $0.current == "1.0.0" })
    }

    static let weatherCases: [(RolloutStrategy, UInt64)] = [RolloutStrategy.canary, .rolling].flatMap { strategy in
        (0..<8).map { (strategy, $0) }
    }

    @Test(arguments: weatherCases.indices)
    func badMultiWaveVersionsRollBackUnderFailovers(index: Int) throws {
        let (strategy, seed) = Self.weatherCases[index]
        var world = DriverWorld(seed: 300 + seed, nodes: 4 + Int(seed % 6))
        world.weather = DriverWorld.Weather(failoverPerStep: 8, lostProposal: 100, lostAnswer: 100)
        world.bad = "2.0.0"
        _ = world.deploy("d1", version: "2.0.0", strategy: strategy)
        #expect((world.state.deployments["d1"]?.waves.count ?? 0) > 1, "\(strategy) plans several waves")
        world.runChecked(forMilliseconds: 1_800_000)
        let deployment = try #require(world.state.deployments["d1"])
        #expect(deployment.state == .rolledBack, "\(strategy) seed \(seed), \(world.failovers) failovers")
        #expect(world.hosts.values.allSatisfy { $0.current == "1.0.0" }, "\(strategy) seed \(seed)")
    }

    /// Paused at the gate for twice the gate's maximum wait, then resumed: the wait paused does not
    /// count, so the good version still passes every gate.
    @Test func aPauseAtTheGateThenAResumeStillPasses() throws {
        var world = DriverWorld(seed: 13, nodes: 5)
        _ = world.deploy("d1", version: "2.0.0", strategy: .canary)
        #expect(world.runChecked(forMilliseconds: 120_000) { $0.deployments["d1"]?.waves[0].state == .gating })
        world.apply(.controlDeployment(id: "d1", action: .pause, by: "bob", reason: "", atMilliseconds: world.now))
        #expect(!world.runChecked(forMilliseconds: 2 * DriverWorld.quickGate.maximumWaitMilliseconds.widened) { _ in false })
        #expect(world.state.deployments["d1"]?.state == .paused)
        world.apply(.controlDeployment(id: "d1", action: .resume, by: "bob", reason: "", atMilliseconds: world.now))
        world.runChecked(forMilliseconds: 600_000)
        let deployment = try #require(world.state.deployments["d1"])
        #expect(deployment.state == .succeeded && deployment.waves.allSatisfy { $0.passedBy == .gate })
        let elapsed = deployment.waves.flatMap(\.decisions).map(\.poll.elapsedMilliseconds)
        #expect(elapsed.allSatisfy { $0 < DriverWorld.quickGate.maximumWaitMilliseconds.widened }, "\(elapsed)")
        #expect(world.hosts.values.allSatisfy { $0.current == "2.0.0" })
    }

    @Test func aRollbackMidWaveReturnsEveryStartedWave() throws {
        var world = DriverWorld(seed: 14, nodes: 7)
        _ = world.deploy("d1", version: "2.0.0", strategy: .rolling, concurrency: 1)
        #expect(world.runChecked(forMilliseconds: 300_000) { $0.deployments["d1"]?.waves[1].state == .installing })
        world.apply(.controlDeployment(id: "d1", action: .rollback, by: "bob", reason: "", atMilliseconds: world.now))
        world.runChecked(forMilliseconds: 600_000)
        let deployment = try #require(world.state.deployments["d1"])
        #expect(deployment.state == .rolledBack)
        #expect(deployment.nodes.filter { $0.wave >= 2 }.allSatisfy { $0.state == .pending })
        #expect(world.hosts.values.allSatisfy { $0.current == "1.0.0" })
    }

    @Test func anAbortStopsEveryOrder() throws {
        var world = DriverWorld(seed: 15, nodes: 6)
        _ = world.deploy("d1", version: "2.0.0", strategy: .direct, concurrency: 2)
        #expect(world.runChecked(forMilliseconds: 60_000) { $0.deployments["d1"]?.waves[0].state == .installing })
        world.apply(.controlDeployment(id: "d1", action: .abort, by: "bob", reason: "", atMilliseconds: world.now))
        world.runChecked(forMilliseconds: 60_000)
        let deployment = try #require(world.state.deployments["d1"])
        #expect(deployment.state == .aborted)
        #expect(world.hosts.values.contains { $0.current == "1.0.0" }, "installs past the first two never started")
    }

    @Test func anApprovalGivenInTheRunStartsTheDeployment() throws {
        var world = DriverWorld(seed: 16, nodes: 4)
        #expect(world.deploy("d1", version: "2.0.0", environment: "staging")?.deployment?.state == .awaitingApproval)
        #expect(!world.runChecked(forMilliseconds: 30_000) { _ in false })
        #expect(world.state.deployments["d1"]?.state == .awaitingApproval)
        #expect(world.hosts.values.allSatisfy { $0.current == "1.0.0" }, "nothing installs before the approval")
        world.apply(.decideApproval(id: "d1", approve: true, by: "carol", reason: "go", atMilliseconds: world.now))
        world.runChecked(forMilliseconds: 600_000)
        #expect(world.state.deployments["d1"]?.state == .succeeded)
        #expect(world.state.deployments["d1"]?.approval?.decision == .approved)
        #expect(world.hosts.values.allSatisfy { $0.current == "2.0.0" })
    }

    /// The driver's rules, from what it placed in the last step and what it has in flight.
    static func checkOrders(_ world: DriverWorld) {
        for deployment in world.state.deployments.values {
            let installs = world.ordersInFlight.count { $0.key.deployment == deployment.id && $0.key.kind == .install }
            #expect(installs <= Int(deployment.installConcurrency), "\(deployment.id): \(installs) installs in flight")
        }
        for order in world.placed {
            guard let deployment = world.state.deployments[order.key.deployment],
                  let node = deployment.nodes.first(where: { $0.id == order.key.node }) else {
                Issue.record("an order for a node of no deployment: \(order.key)")
                continue
            }
            switch order.key.kind {
            case .install:
                #expect(deployment.state == .running && node.state == .installing && deployment.activeWave == Int(node.wave),
                        "an install for \(node.id), \(node.state) in wave \(node.wave) of a \(deployment.state) deployment")
            case .rollback:
                #expect(deployment.state == .rollingBack && node.state == .rollingBack,
                        "a switch back for \(node.id), \(node.state), of a \(deployment.state) deployment")
            }
        }
    }
}

extension DriverWorld {
    /// Steps until `done` holds (true) or `limit` simulated milliseconds passed (false), checking the
    /// deployment invariants and the driver's order rules after every step. Without `done`, until settled.
    @discardableResult
    mutating func runChecked(forMilliseconds limit: UInt64, until done: ((FleetState) -> Bool)? = nil) -> Bool {
        let end = now + limit
        while now < end {
            step()
            DeploymentDriverSimulationTests.holdInvariants(state)
            DeploymentDriverScenarioTests.checkOrders(self)
            if let done, done(state) { return true }
            if done == nil, isSettled { return true }
        }
        return false
    }
}

extension UInt32 {
    var widened: UInt64 { UInt64(self) }
}
