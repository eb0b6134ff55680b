import Fleet
import Rollout
import Testing

/// What keeps deployments small and their records honest: decisions kept by wave size and trimmed
/// when a deployment finishes, gate decisions that must follow the wave's count, approvals
/// withdrawn by an abort or a rollback, and module versions a deployment needs kept from deletion.
struct DeploymentBoundsTests {
    typealias Fixtures = DeploymentFixtures

    @Test func aRunningWaveKeepsDecisionsByItsSize() {
        let kept = [1, 2, 4_096, 8_192, 16_384, 32_768, 65_536].map { WaveRecord.decisionsKept(waveNodes: $0) }
        #expect(kept == [16, 16, 16, 8, 4, 2, 2])
    }

    @Test func aLargeWaveKeepsFewerDecisions() throws {
        var state = Fixtures.state()
        state.applyNext(.createDeployment(Fixtures.record(sizes: [8_192])))
        Fixtures.install(&state, wave: 0, size: 8_192)
        for poll in 1...10 {
            state.applyNext(.recordGateDecision(id: "d1", wave: 0, decision: Fixtures.decision(.wait, poll: UInt32(poll), size: 8_192),
                                                atMilliseconds: Fixtures.createdAt + 3_000))
        }
        let wave = try #require(state.deployments["d1"]?.waves[0])
        #expect(wave.decisions.map(\.poll.index) == Array(3...10) && wave.decisionCount == 10)
    }

    @Test func aFinishedDeploymentKeepsTwoDecisionsAWave() throws {
        var state = DeploymentWaveTests.created()
        Fixtures.install(&state, wave: 0, size: 1)
        for poll in 1...5 { DeploymentWaveTests.gate(&state, .wait, poll: UInt32(poll)) }
        DeploymentWaveTests.gate(&state, .proceed, poll: 6)
        Fixtures.install(&state, wave: 1, size: 2)
        for poll in 1...3 { DeploymentWaveTests.gate(&state, wave: 1, .wait, poll: UInt32(poll), size: 2) }
        #expect(state.deployments["d1"]?.waves.map(\.decisions.count) == [6, 3])
        let aborted = try #require(state.applyNext(Fixtures.control(.abort))?.deployment)
        #expect(aborted.waves.map(\.decisions.count) == [2, 2] && aborted.waves.map(\.decisionCount) == [6, 3])
        #expect(aborted.waves[0].decisions.map(\.poll.index) == [5, 6])
        let restored = try FleetCodec.decodeState(FleetCodec.encode(state))
        #expect(restored == state)
    }

    @Test func aDecisionMustFollowTheWavesCount() {
        var state = DeploymentWaveTests.created()
        Fixtures.install(&state, wave: 0, size: 1)
        DeploymentWaveTests.gate(&state, .wait, poll: 1)
        let before = state.deployments
        #expect(DeploymentWaveTests.gate(&state, .wait, poll: 3)
                == .rejected(.invalidDeploymentStep(id: "d1", reason: "poll 3 of wave 0 does not follow its 1 decisions")))
        #expect(DeploymentWaveTests.gate(&state, .wait, poll: 100)
                == .rejected(.invalidDeploymentStep(id: "d1", reason: "poll 100 of wave 0 does not follow its 1 decisions")))
        #expect(DeploymentWaveTests.gate(&state, .proceed, poll: 1)?.deploymentChange == .unchanged)
        #expect(state.deployments == before)
        #expect(DeploymentWaveTests.gate(&state, .wait, poll: 2)?.deploymentChange == .gate(wave: 0, verdict: .wait, reason: .settling))
    }

    @Test(arguments: [DeploymentAction.abort, .rollback])
    func aPendingApprovalIsWithdrawnByAnAbortOrARollback(action: DeploymentAction) throws {
        var state = Fixtures.state()
        state.applyNext(.createDeployment(Fixtures.record(environment: "staging")))
        let record = try #require(state.applyNext(Fixtures.control(action, by: "carol"))?.deployment)
        #expect(record.state == .aborted)
        let approval = try #require(record.approval)
        #expect(approval.decision == .withdrawn && approval.decidedBy == "carol")
        #expect(approval.decidedAtMilliseconds == Fixtures.createdAt + 5_000)
        #expect(try FleetCodec.decodeState(FleetCodec.encode(state)) == state)
    }

    @Test func aVersionAnUnfinishedDeploymentNeedsCannotBeDeleted() {
        var state = Fixtures.state()
        state.applyNext(.createDeployment(Fixtures.record()))
        for version in ["2.0.0", "1.0.0"] {
            let refusal = FleetRejection.moduleInUse(name: "web", version: version, deployment: "d1")
            #expect(state.applyNext(.deleteModule(name: "web", version: version)) == .rejected(refusal))
            #expect(refusal.code == "module_in_use")
        }
        #expect(state.applyNext(.deleteModule(name: "api", version: "2.0.0")) == .moduleDeleted(name: "api", version: "2.0.0"))
        state.applyNext(Fixtures.control(.abort))
        #expect(state.applyNext(.deleteModule(name: "web", version: "2.0.0")) == .moduleDeleted(name: "web", version: "2.0.0"))
    }
}
