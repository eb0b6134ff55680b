import Fleet
import Rollout
import Testing

/// What each applied deployment command counts on `/metrics`: every stored gate verdict once (a
/// repeat never), a rollback only when a failed gate began it, and a deployment finished once, by
/// the command that ended it, not by a node's result recorded after an abort.
struct DeploymentTallyTests {
    typealias Fixtures = DeploymentFixtures

    /// Applies `command` to `state` and returns what it counts.
    static func tally(_ state: inout FleetState, _ command: FleetCommand) -> DeploymentTally? {
        state.applyNext(command).flatMap { DeploymentTally(command: command, outcome: $0) }
    }

    static func gate(_ verdict: GateVerdict, wave: UInt16 = 0, poll: UInt32, size: Int = 1) -> FleetCommand {
        .recordGateDecision(id: "d1", wave: wave, decision: Fixtures.decision(verdict, poll: poll, size: size),
                            atMilliseconds: Fixtures.createdAt + 3_000)
    }

    static func created(_ environment: String = "development", onFailure: GateFailurePolicy = .rollback) -> FleetState {
        var state = Fixtures.state()
        #expect(tally(&state, .createDeployment(Fixtures.record(environment: environment, sizes: [1, 2], onFailure: onFailure))) == nil)
        return state
    }

    static func rollback(_ node: String, succeeded: Bool = true) -> FleetCommand {
        .recordNodeRollback(id: "d1", node: node, succeeded: succeeded, detail: "", atMilliseconds: Fixtures.createdAt + 9_000)
    }

    @Test func everyVerdictCountsOnceAndTheLastPassageFinishesSucceeded() {
        var state = Self.created()
        #expect(Self.tally(&state, .startWave(id: "d1", wave: 0, baseline: Fixtures.baseline(1), atMilliseconds: 10)) == nil)
        #expect(Self.tally(&state, .recordNodeInstall(id: "d1", node: "n0-0", succeeded: true, detail: "", atMilliseconds: 20)) == nil)
        #expect(Self.tally(&state, Self.gate(.wait, poll: 1)) == DeploymentTally(verdict: .wait))
        #expect(Self.tally(&state, Self.gate(.wait, poll: 1)) == nil, "a repeat across a failover")
        #expect(Self.tally(&state, Self.gate(.proceed, poll: 2)) == DeploymentTally(verdict: .proceed))
        Fixtures.install(&state, wave: 1, size: 2)
        let last = Self.gate(.proceed, wave: 1, poll: 1, size: 2)
        #expect(Self.tally(&state, last) == DeploymentTally(verdict: .proceed, finished: .succeeded))
        #expect(Self.tally(&state, last) == nil)
    }

    @Test func aFailedGateCountsARollbackOnlyWhenItRollsBack() {
        var rollback = Self.created()
        Fixtures.install(&rollback, wave: 0, size: 1)
        #expect(Self.tally(&rollback, Self.gate(.fail, poll: 1)) == DeploymentTally(verdict: .fail, gateRollback: true))
        #expect(Self.tally(&rollback, Self.rollback("n0-0")) == DeploymentTally(finished: .rolledBack))
        #expect(Self.tally(&rollback, Self.rollback("n0-0")) == nil, "a repeat")

        for policy in [GateFailurePolicy.pause, .recordOnly] {
            var state = Self.created(onFailure: policy)
            Fixtures.install(&state, wave: 0, size: 1)
            #expect(Self.tally(&state, Self.gate(.fail, poll: 1)) == DeploymentTally(verdict: .fail), "\(policy)")
        }
    }

    @Test func aFailedInstallsRollbackIsNoGates() {
        var state = Self.created()
        Fixtures.install(&state, wave: 0, size: 1, succeeded: false)
        #expect(state.deployments["d1"]?.state == .rollingBack)
        #expect(Self.tally(&state, Self.rollback("n0-0", succeeded: false)) == DeploymentTally(finished: .failed))
    }

    @Test func anAbortFinishesOnceWhateverNodesReportAfterIt() {
        var installing = Self.created()
        #expect(Self.tally(&installing, .startWave(id: "d1", wave: 0, baseline: Fixtures.baseline(1), atMilliseconds: 10)) == nil)
        #expect(Self.tally(&installing, Fixtures.control(.abort)) == DeploymentTally(finished: .aborted))
        #expect(Self.tally(&installing, .recordNodeInstall(id: "d1", node: "n0-0", succeeded: true, detail: "", atMilliseconds: 20)) == nil)

        var rolling = Self.created()
        Fixtures.install(&rolling, wave: 0, size: 1)
        #expect(Self.tally(&rolling, Fixtures.control(.rollback)) == nil, "rolling back is not finished")
        #expect(Self.tally(&rolling, Fixtures.control(.abort)) == DeploymentTally(finished: .aborted))
        #expect(Self.tally(&rolling, Self.rollback("n0-0")) == nil)
        #expect(rolling.deployments["d1"]?.state == .aborted)
    }

    @Test func aRejectedOrExpiredApprovalFinishesAborted() {
        var rejected = Self.created("staging")
        let reject = FleetCommand.decideApproval(id: "d1", approve: false, by: "bob", reason: "no", atMilliseconds: Fixtures.createdAt + 1)
        #expect(Self.tally(&rejected, reject) == DeploymentTally(finished: .aborted))
        var expired = Self.created("staging")
        #expect(Self.tally(&expired, .expireApproval(id: "d1", atMilliseconds: Fixtures.createdAt + 2 * Fixtures.day))
                == DeploymentTally(finished: .aborted))
        var nothing = Self.created()
        #expect(Self.tally(&nothing, Fixtures.control(.rollback)) == DeploymentTally(finished: .rolledBack), "no node to roll back")
    }

    @Test func aPromotionThroughTheLastWaveFinishesSucceeded() {
        var state = Self.created()
        Fixtures.install(&state, wave: 0, size: 1)
        #expect(Self.tally(&state, Fixtures.control(.promote)) == nil, "a wave promoted, more to go")
        Fixtures.install(&state, wave: 1, size: 2)
        #expect(Self.tally(&state, Fixtures.control(.promote)) == DeploymentTally(finished: .succeeded))
    }

    @Test func aFailRecordedOnlyOnTheLastWaveFinishesSucceededWithoutARollback() {
        var state = Self.created(onFailure: .recordOnly)
        Fixtures.install(&state, wave: 0, size: 1)
        #expect(Self.tally(&state, Self.gate(.proceed, poll: 1)) == DeploymentTally(verdict: .proceed))
        Fixtures.install(&state, wave: 1, size: 2)
        #expect(Self.tally(&state, Self.gate(.fail, wave: 1, poll: 1, size: 2)) == DeploymentTally(verdict: .fail, finished: .succeeded))
    }

    @Test func aUsersRollbackAfterAPausingFailIsNoGates() {
        var state = Self.created(onFailure: .pause)
        Fixtures.install(&state, wave: 0, size: 1)
        #expect(Self.tally(&state, Self.gate(.fail, poll: 1)) == DeploymentTally(verdict: .fail))
        #expect(state.deployments["d1"]?.state == .paused)
        #expect(Self.tally(&state, Fixtures.control(.rollback)) == nil)
        #expect(Self.tally(&state, Self.rollback("n0-0")) == DeploymentTally(finished: .rolledBack))
    }

    @Test func anAuditedCommandCountsAsTheCommandItWraps() {
        var state = Self.created()
        Fixtures.install(&state, wave: 0, size: 1)
        let context = AuditContext(user: "bob", role: .admin, source: nil, atMilliseconds: Fixtures.createdAt + 3_000)
        #expect(Self.tally(&state, .audited(context, Self.gate(.fail, poll: 1))) == DeploymentTally(verdict: .fail, gateRollback: true))
        #expect(Self.tally(&state, .audited(context, Self.rollback("n0-0"))) == DeploymentTally(finished: .rolledBack))
    }
}
