import Fleet
import Rollout
import Testing

/// A deployment's waves, installs, gate decisions and rollbacks: the way to succeeded, each failure
/// policy, refusals of steps that do not fit, repeats that change nothing, the cap on stored
/// decisions, and rollbacks that end rolled back or failed.
struct DeploymentWaveTests {
    typealias Fixtures = DeploymentFixtures
    static let at = Fixtures.createdAt + 3_000

    static func created(onFailure: GateFailurePolicy = .rollback, sizes: [Int] = [1, 2]) -> FleetState {
        var state = Fixtures.state()
        state.applyNext(.createDeployment(Fixtures.record(sizes: sizes, onFailure: onFailure)))
        return state
    }

    @discardableResult
    static func gate(_ state: inout FleetState, wave: UInt16 = 0, _ verdict: GateVerdict, poll: UInt32, size: Int = 1) -> FleetOutcome? {
        state.applyNext(.recordGateDecision(id: "d1", wave: wave, decision: Fixtures.decision(verdict, poll: poll, size: size),
                                            atMilliseconds: at))
    }

    @Test func wavesInstallGateAndPassToSucceeded() throws {
        var state = Self.created()
        let started = state.applyNext(.startWave(id: "d1", wave: 0, baseline: Fixtures.baseline(1), atMilliseconds: 10))
        #expect(started?.deploymentChange == .wave(index: 0, state: .installing))
        #expect(started?.deployment?.nodes.map(\.state) == [.installing, .pending, .pending])
        #expect(started?.deployment?.waves[0].baseline == Fixtures.baseline(1))
        let installed = state.applyNext(.recordNodeInstall(id: "d1", node: "n0-0", succeeded: true, detail: "ok", atMilliseconds: 20))
        #expect(installed?.deploymentChange == .wave(index: 0, state: .gating))
        #expect(installed?.deployment?.waves[0].gatingSinceMilliseconds == 20)
        #expect(Self.gate(&state, .wait, poll: 1)?.deploymentChange == .gate(wave: 0, verdict: .wait, reason: .settling))
        #expect(Self.gate(&state, .proceed, poll: 2)?.deploymentChange == .wave(index: 0, state: .passed))
        #expect(state.deployments["d1"]?.waves[0].passedBy == .gate)
        Fixtures.install(&state, wave: 1, size: 2)
        let last = try #require(Self.gate(&state, wave: 1, .proceed, poll: 1, size: 2)?.deployment)
        #expect(last.state == .succeeded && last.finishedAtMilliseconds == Self.at && last.stateReason == "all 2 waves passed")
        #expect(last.waves.map(\.decisionCount) == [2, 1])
    }

    @Test func wavesStartOnlyInOrderWhileRunningWithAMatchingBaseline() {
        var state = Self.created()
        #expect(state.applyNext(.startWave(id: "d1", wave: 1, baseline: Fixtures.baseline(2), atMilliseconds: 10))
                == .rejected(.invalidDeploymentStep(id: "d1", reason: "wave 1 is not next")))
        #expect(state.applyNext(.startWave(id: "d1", wave: 2, baseline: Fixtures.baseline(1), atMilliseconds: 10))
                == .rejected(.invalidDeploymentStep(id: "d1", reason: "it has no wave 2")))
        #expect(state.applyNext(.startWave(id: "d1", wave: 0, baseline: Fixtures.baseline(2), atMilliseconds: 10))
                == .rejected(.invalidDeploymentStep(id: "d1", reason: "a baseline of 2 nodes for a wave of 1")))
        var infinite = Fixtures.baseline(1)
        infinite.control[2]?[.hostCPU] = .infinity
        #expect(state.applyNext(.startWave(id: "d1", wave: 0, baseline: infinite, atMilliseconds: 10))
                == .rejected(.invalidDeploymentStep(id: "d1", reason: "a baseline value is not finite")))
        var crowded = Fixtures.baseline(1)
        crowded.control = Array(repeating: nil, count: GateBaseline.controlNodesMaximum + 1)
        #expect(state.applyNext(.startWave(id: "d1", wave: 0, baseline: crowded, atMilliseconds: 10))
                == .rejected(.invalidDeploymentStep(id: "d1", reason: "a baseline of 65 control nodes, over 64")))
        state.applyNext(Fixtures.control(.pause))
        #expect(state.applyNext(.startWave(id: "d1", wave: 0, baseline: Fixtures.baseline(1), atMilliseconds: 10))
                == .rejected(.invalidTransition(id: "d1", from: .paused, action: "start a wave")))
        #expect(state.deployments["d1"]?.waves[0].state == .pending)
    }

    /// A command retried across a failover finds its result recorded: nothing changes, and a
    /// conflicting result is refused.
    @Test func repeatsChangeNothing() {
        var state = Self.created()
        Fixtures.install(&state, wave: 0, size: 1)
        let before = state.deployments
        #expect(state.applyNext(.startWave(id: "d1", wave: 0, baseline: Fixtures.baseline(1), atMilliseconds: 99))?.deploymentChange
                == .unchanged)
        #expect(state.applyNext(.recordNodeInstall(id: "d1", node: "n0-0", succeeded: true, detail: "again", atMilliseconds: 99))?
            .deploymentChange == .unchanged)
        #expect(state.applyNext(.recordNodeInstall(id: "d1", node: "n0-0", succeeded: false, detail: "", atMilliseconds: 99))
                == .rejected(.invalidDeploymentStep(id: "d1", reason: "node 'n0-0' is installed, not installing")))
        #expect(state.applyNext(.recordNodeInstall(id: "d1", node: "n1-0", succeeded: true, detail: "", atMilliseconds: 99))
                == .rejected(.invalidDeploymentStep(id: "d1", reason: "node 'n1-0' is pending, not installing")))
        #expect(state.applyNext(.recordNodeInstall(id: "d1", node: "zz", succeeded: true, detail: "", atMilliseconds: 99))
                == .rejected(.invalidDeploymentStep(id: "d1", reason: "node 'zz' is not in its plan")))
        #expect(state.deployments == before, "the repeats and refusals changed the record")
        Self.gate(&state, .wait, poll: 1)
        let afterWait = state.deployments
        #expect(Self.gate(&state, .proceed, poll: 1)?.deploymentChange == .unchanged, "poll 1 again")
        #expect(state.deployments == afterWait)
    }

    @Test func aFailedInstallFollowsThePolicyButIsNeverADryRun() throws {
        let expected: [(GateFailurePolicy, DeploymentState)] = [(.rollback, .rollingBack), (.pause, .paused), (.recordOnly, .rollingBack)]
        for (policy, after) in expected {
            var state = Self.created(onFailure: policy, sizes: [2, 1])
            state.applyNext(.startWave(id: "d1", wave: 0, baseline: Fixtures.baseline(2), atMilliseconds: 10))
            state.applyNext(.recordNodeInstall(id: "d1", node: "n0-0", succeeded: false, detail: "disk full", atMilliseconds: 20))
            let outcome = state.applyNext(.recordNodeInstall(id: "d1", node: "n0-1", succeeded: true, detail: "", atMilliseconds: 30))
            #expect(outcome?.deploymentChange == .wave(index: 0, state: .failed))
            let record = try #require(outcome?.deployment)
            #expect(record.state == after, "\(policy)")
            #expect(record.waves[0].failure == "1 of 2 nodes of wave 0 failed to install")
            let nodes: [DeploymentNodeState] = after == .rollingBack
                ? [.rollingBack, .rollingBack, .pending] : [.installFailed, .installed, .pending]
            #expect(record.nodes.map(\.state) == nodes, "\(policy)")
        }
    }

    @Test func aFailedGateFollowsThePolicy() throws {
        var rollback = Self.created(onFailure: .rollback)
        Fixtures.install(&rollback, wave: 0, size: 1)
        let rolled = try #require(Self.gate(&rollback, .fail, poll: 1)?.deployment)
        #expect(rolled.state == .rollingBack && rolled.waves[0].state == .failed && rolled.nodes[0].state == .rollingBack)
        #expect(rolled.stateReason == "the gate failed wave 0: regressed; rolling back")

        var pause = Self.created(onFailure: .pause)
        Fixtures.install(&pause, wave: 0, size: 1)
        #expect(Self.gate(&pause, .fail, poll: 1)?.deploymentChange == .gate(wave: 0, verdict: .fail, reason: .regressed))
        let paused = try #require(pause.deployments["d1"])
        #expect(paused.state == .paused && paused.waves[0].state == .gating && paused.waves[0].decisions.last?.verdict == .fail)
        #expect(Self.gate(&pause, .proceed, poll: 2) == .rejected(.invalidTransition(id: "d1", from: .paused,
                                                                                     action: "record a gate decision")))
        let promoted = try #require(pause.applyNext(Fixtures.control(.promote, by: "carol"))?.deployment)
        #expect(promoted.state == .running && promoted.waves[0].passedBy == .promoted(by: "carol"))

        var dryRun = Self.created(onFailure: .recordOnly)
        Fixtures.install(&dryRun, wave: 0, size: 1)
        let passed = try #require(Self.gate(&dryRun, .fail, poll: 1)?.deployment)
        #expect(passed.state == .running && passed.waves[0].passedBy == .dryRun && passed.waves[0].decisions.last?.verdict == .fail)
    }

    @Test func decisionsMustFitAGatingWave() {
        var state = Self.created()
        #expect(Self.gate(&state, .wait, poll: 1) == .rejected(.invalidDeploymentStep(id: "d1", reason: "wave 0 is pending, not gating")))
        Fixtures.install(&state, wave: 0, size: 1)
        #expect(Self.gate(&state, .wait, poll: 1, size: 2)
                == .rejected(.invalidDeploymentStep(id: "d1", reason: "a decision on 2 nodes for a wave of 1")))
        var infinite = Fixtures.decision(.wait, poll: 1, size: 1)
        infinite.poll.control[0]?[.probeLatency] = .nan
        #expect(state.applyNext(.recordGateDecision(id: "d1", wave: 0, decision: infinite, atMilliseconds: 1))
                == .rejected(.invalidDeploymentStep(id: "d1", reason: "a gate value is not finite")))
        var uncontrolled = Fixtures.decision(.wait, poll: 1, size: 1)
        uncontrolled.poll.control.removeLast()
        #expect(state.applyNext(.recordGateDecision(id: "d1", wave: 0, decision: uncontrolled, atMilliseconds: 1))
                == .rejected(.invalidDeploymentStep(id: "d1", reason: "a decision on 2 control nodes for a baseline of 3")))
        #expect(Self.gate(&state, wave: 5, .wait, poll: 1) == .rejected(.invalidDeploymentStep(id: "d1", reason: "it has no wave 5")))
    }

    @Test func onlyTheNewest16DecisionsAreKeptButAllAreCounted() throws {
        var state = Self.created()
        Fixtures.install(&state, wave: 0, size: 1)
        for poll in 1...40 { Self.gate(&state, .wait, poll: UInt32(poll)) }
        let wave = try #require(state.deployments["d1"]?.waves[0])
        #expect(wave.decisions.count == WaveRecord.decisionsKept && wave.decisionCount == 40)
        #expect(wave.decisions.map(\.poll.index) == Array(25...40))
    }

    static let transitions: [(DeploymentState, DeploymentAction, DeploymentState?)] = [
        (.running, .pause, .paused), (.paused, .resume, .running), (.running, .abort, .aborted), (.paused, .abort, .aborted),
        (.awaitingApproval, .abort, .aborted), (.rollingBack, .abort, .aborted), (.running, .rollback, .rollingBack),
        (.paused, .rollback, .rollingBack), (.awaitingApproval, .rollback, .aborted),
        (.running, .resume, nil), (.paused, .pause, nil), (.awaitingApproval, .pause, nil), (.rollingBack, .pause, nil),
        (.rollingBack, .rollback, nil), (.aborted, .abort, nil), (.awaitingApproval, .promote, nil), (.running, .promote, nil),
    ]

    /// Each user action from each state it may come in: rollbacks here have a started wave to roll back.
    @Test(arguments: transitions.indices)
    func usersActionsMoveOnlyWhereAllowed(index: Int) throws {
        let (from, action, to) = Self.transitions[index]
        var state = Fixtures.state()
        state.applyNext(.createDeployment(Fixtures.record(environment: from == .awaitingApproval ? "staging" : "development")))
        if from != .awaitingApproval { Fixtures.install(&state, wave: 0, size: 1) }
        switch from {
        case .paused: state.applyNext(Fixtures.control(.pause))
        case .rollingBack: state.applyNext(Fixtures.control(.rollback))
        case .aborted: state.applyNext(Fixtures.control(.abort))
        default: break
        }
        if from == .running, action == .promote { Self.gate(&state, .proceed, poll: 1) }
        #expect(state.deployments["d1"]?.state == from)
        let outcome = state.applyNext(Fixtures.control(action))
        guard let to else {
            guard case .rejected(.invalidTransition(id: "d1", from: from, action: _)) = outcome else {
                Issue.record("\(action) from \(from) gave \(String(describing: outcome))")
                return
            }
            return
        }
        let record = try #require(outcome?.deployment)
        #expect(record.state == to && outcome?.deploymentChange == .action(action))
        #expect(record.stateReason.hasPrefix("\(action) by bob"))
        #expect((record.finishedAtMilliseconds != nil) == to.isTerminal)
    }

    @Test func aRollbackEndsRolledBackOrFailed() throws {
        for failing in [false, true] {
            var state = Self.created(sizes: [2, 1])
            Fixtures.install(&state, wave: 0, size: 2)
            state.applyNext(Fixtures.control(.rollback))
            #expect(state.deployments["d1"]?.nodes.map(\.state) == [.rollingBack, .rollingBack, .pending])
            let first = state.applyNext(.recordNodeRollback(id: "d1", node: "n0-0", succeeded: true, detail: "", atMilliseconds: 50))
            #expect(first?.deployment?.state == .rollingBack && first?.deploymentChange == .node(id: "n0-0", state: .rolledBack))
            #expect(state.applyNext(.recordNodeRollback(id: "d1", node: "n0-0", succeeded: true, detail: "", atMilliseconds: 51))?
                .deploymentChange == .unchanged)
            #expect(state.applyNext(.recordNodeRollback(id: "d1", node: "n1-0", succeeded: true, detail: "", atMilliseconds: 51))
                    == .rejected(.invalidDeploymentStep(id: "d1", reason: "node 'n1-0' is pending, not rolling back")))
            let last = try #require(state.applyNext(.recordNodeRollback(id: "d1", node: "n0-1", succeeded: !failing, detail: "stuck",
                                                                        atMilliseconds: 60))?.deployment)
            #expect(last.state == (failing ? .failed : .rolledBack) && last.finishedAtMilliseconds == 60)
            #expect(last.stateReason == (failing ? "1 node could not roll back" : "every node is back on its previous version"))
        }
    }

    @Test func aRollbackWithNothingToRollBackEndsAtOnce() throws {
        var state = Self.created()
        let record = try #require(state.applyNext(Fixtures.control(.rollback))?.deployment)
        #expect(record.state == .rolledBack && record.finishedAtMilliseconds != nil)
        #expect(record.nodes.allSatisfy { $0.state == .pending })
    }

    @Test func anInstallResultAfterAnAbortIsRecordedButMovesNothing() throws {
        var state = Self.created(sizes: [2, 1])
        state.applyNext(.startWave(id: "d1", wave: 0, baseline: Fixtures.baseline(2), atMilliseconds: 10))
        state.applyNext(Fixtures.control(.abort))
        let outcome = state.applyNext(.recordNodeInstall(id: "d1", node: "n0-0", succeeded: true, detail: "", atMilliseconds: 20))
        #expect(outcome?.deploymentChange == .node(id: "n0-0", state: .installed))
        state.applyNext(.recordNodeInstall(id: "d1", node: "n0-1", succeeded: true, detail: "", atMilliseconds: 20))
        let record = try #require(state.deployments["d1"])
        #expect(record.state == .aborted && record.waves[0].state == .installing)
    }
}
