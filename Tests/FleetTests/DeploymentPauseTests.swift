import Fleet
import Rollout
import Testing

/// Pausing and resuming: a deployment paused by a failed install can only be rolled back or
/// aborted, and the time a deployment spends paused does not count toward its gating wave's waits.
struct DeploymentPauseTests {
    typealias Fixtures = DeploymentFixtures
    static let minute: UInt64 = 60_000

    static func control(_ state: inout FleetState, _ action: DeploymentAction, at: UInt64) -> FleetOutcome? {
        state.applyNext(.controlDeployment(id: "d1", action: action, by: "bob", reason: "", atMilliseconds: at))
    }

    @Test func resumeIsRefusedWhileAWaveFailedToInstall() throws {
        var state = DeploymentWaveTests.created(onFailure: .pause, sizes: [2, 1])
        state.applyNext(.startWave(id: "d1", wave: 0, baseline: Fixtures.baseline(2), atMilliseconds: 10))
        state.applyNext(.recordNodeInstall(id: "d1", node: "n0-0", succeeded: false, detail: "disk full", atMilliseconds: 20))
        state.applyNext(.recordNodeInstall(id: "d1", node: "n0-1", succeeded: true, detail: "", atMilliseconds: 30))
        let paused = try #require(state.deployments["d1"])
        #expect(paused.state == .paused && paused.waves[0].state == .failed && paused.pausedAtMilliseconds == 30)
        #expect(Self.control(&state, .resume, at: 40) == .rejected(.invalidTransition(
            id: "d1", from: .paused, action: "resume: wave 0 failed to install; roll back or abort")))
        #expect(state.deployments["d1"] == paused)
        let rolling = try #require(Self.control(&state, .rollback, at: 50)?.deployment)
        #expect(rolling.state == .rollingBack && rolling.nodes.map(\.state) == [.rollingBack, .rollingBack, .pending])
        #expect(rolling.pausedAtMilliseconds == nil)
    }

    /// Paused 40 minutes after the first poll of a gate whose maximum wait is 30: the resumed gate's
    /// time zero moves by 40 minutes, so the next poll's elapsed time goes on from the first one's.
    @Test func timePausedDoesNotCountTowardTheGatesWaits() throws {
        var state = DeploymentWaveTests.created()
        Fixtures.install(&state, wave: 0, size: 1)
        let since = try #require(state.deployments["d1"]?.waves[0].gatingSinceMilliseconds)
        DeploymentWaveTests.gate(&state, .wait, poll: 1)
        let pausedAt = since + Self.minute
        let paused = try #require(Self.control(&state, .pause, at: pausedAt)?.deployment)
        #expect(paused.pausedAtMilliseconds == pausedAt)
        let resumed = try #require(Self.control(&state, .resume, at: pausedAt + 40 * Self.minute)?.deployment)
        #expect(resumed.state == .running && resumed.pausedAtMilliseconds == nil)
        let shifted = try #require(resumed.waves[0].gatingSinceMilliseconds)
        #expect(shifted == since + 40 * Self.minute)
        let nextPoll = pausedAt + 40 * Self.minute + 30_000
        #expect(nextPoll - shifted == Self.minute + 30_000, "elapsed goes on from 1 minute, the pause left out")
    }

    @Test func installsThatFinishWhilePausedGateFromTheResume() throws {
        var state = DeploymentWaveTests.created()
        state.applyNext(.startWave(id: "d1", wave: 0, baseline: Fixtures.baseline(1), atMilliseconds: 10))
        _ = Self.control(&state, .pause, at: 20)
        state.applyNext(.recordNodeInstall(id: "d1", node: "n0-0", succeeded: true, detail: "", atMilliseconds: 20 + Self.minute))
        #expect(state.deployments["d1"]?.waves[0].gatingSinceMilliseconds == 20 + Self.minute)
        let resumed = try #require(Self.control(&state, .resume, at: 20 + 40 * Self.minute)?.deployment)
        #expect(resumed.waves[0].gatingSinceMilliseconds == 20 + 40 * Self.minute)
    }

    @Test func aPauseByAFailedGateIsStoredAndAPromoteClearsIt() throws {
        var state = DeploymentWaveTests.created(onFailure: .pause)
        Fixtures.install(&state, wave: 0, size: 1)
        DeploymentWaveTests.gate(&state, .fail, poll: 1)
        #expect(state.deployments["d1"]?.pausedAtMilliseconds == DeploymentWaveTests.at)
        let promoted = try #require(Self.control(&state, .promote, at: DeploymentWaveTests.at + 1)?.deployment)
        #expect(promoted.state == .running && promoted.pausedAtMilliseconds == nil)
    }
}
