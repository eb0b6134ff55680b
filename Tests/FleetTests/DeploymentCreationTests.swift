import Fleet
import Rollout
import Testing

/// Creating deployments: the initial state from the environment (approval or not), whatever the
/// record said; every refusal; one in progress per module and environment; the bound of
/// `deploymentsMaximum`, which drops the oldest finished one; approvals decided, rejected and
/// expired; compaction of finished deployments.
struct DeploymentCreationTests {
    typealias Fixtures = DeploymentFixtures

    @Test func anEnvironmentWithoutApprovalStartsRunningWithEverythingPending() throws {
        var state = Fixtures.state()
        var proposed = Fixtures.record()
        proposed.state = .succeeded
        proposed.stateReason = "lies"
        proposed.waves[0].state = .passed
        proposed.nodes[0].state = .installed
        proposed.finishedAtMilliseconds = 9
        proposed.approval = ApprovalRecord(expiresAtMilliseconds: 1, decision: .approved)
        let outcome = state.applyNext(.createDeployment(proposed))
        let record = try #require(outcome?.deployment)
        #expect(outcome?.deploymentChange == .created)
        #expect(record.state == .running && record.approval == nil && record.finishedAtMilliseconds == nil)
        #expect(record.waves.allSatisfy { $0 == WaveRecord() })
        #expect(record.nodes.allSatisfy { $0.state == .pending && $0.detail.isEmpty })
        #expect(state.deployments["d1"] == record)
    }

    @Test func stagingAndProductionAwaitApprovalUntilTheTimeout() throws {
        var state = Fixtures.state()
        let record = try #require(state.applyNext(.createDeployment(Fixtures.record(environment: "production")))?.deployment)
        #expect(record.state == .awaitingApproval)
        #expect(record.approval == ApprovalRecord(expiresAtMilliseconds: Fixtures.createdAt + Fixtures.day))
        state.applyNext(.putEnvironment(EnvironmentRecord(name: "edge", defaultStrategy: .canary, requiresApproval: true,
                                                          approvalTimeoutSeconds: 600)))
        let edge = try #require(state.applyNext(.createDeployment(Fixtures.record("d2", environment: "edge")))?.deployment)
        #expect(edge.approval?.expiresAtMilliseconds == Fixtures.createdAt + 600_000)
    }

    static let malformed: [(String, @Sendable (inout DeploymentRecord) -> Void)] = [
        ("an id with capitals", { $0.id = "D1" }),
        ("an id of 41 bytes", { $0.id = String(repeating: "a", count: 41) }),
        ("an empty id", { $0.id = "" }),
        ("no creator", { $0.createdBy = "" }),
        ("no wave", { $0.waves = []; $0.nodes = [] }),
        ("65 waves", { $0.waves = Array(repeating: WaveRecord(), count: 65) }),
        ("a wave without a node", { $0.waves.append(WaveRecord()) }),
        ("a node in a wave that does not exist", { $0.nodes[0].wave = 7 }),
        ("a node planned twice", { $0.nodes[2].id = $0.nodes[1].id }),
        ("an empty node id", { $0.nodes[0].id = "" }),
        ("install concurrency 0", { $0.installConcurrency = 0 }),
        ("install concurrency 1,025", { $0.installConcurrency = 1_025 }),
        ("a reason over 256 bytes", { $0.stateReason = String(repeating: "x", count: 257) }),
        ("bad gate settings", { $0.gate.consecutiveStable = 0 }),
        ("bad strategy parameters", { $0.parameters.canaryPercents = [50] }),
    ]

    @Test(arguments: malformed.indices)
    func malformedRecordsAreRefused(index: Int) {
        var state = Fixtures.state()
        var record = Fixtures.record()
        Self.malformed[index].1(&record)
        guard case .rejected(.invalidDeployment) = state.applyNext(.createDeployment(record)) else {
            Issue.record("\(Self.malformed[index].0) was not refused as malformed")
            return
        }
        #expect(state.deployments.isEmpty)
    }

    @Test func unknownEnvironmentsModuleVersionsAndTakenIDsAreRefused() {
        var state = Fixtures.state()
        #expect(state.applyNext(.createDeployment(Fixtures.record(environment: "edge"))) == .rejected(.notFound("edge")))
        var unknown = Fixtures.record()
        unknown.version = "3.0.0"
        #expect(state.applyNext(.createDeployment(unknown)) == .rejected(.unknownModule(name: "web", version: "3.0.0")))
        state.applyNext(.createDeployment(Fixtures.record()))
        #expect(state.applyNext(.createDeployment(Fixtures.record(module: "api"))) == .rejected(.deploymentExists("d1")))
    }

    @Test func oneDeploymentOfAModuleAndEnvironmentRunsAtATime() {
        var state = Fixtures.state()
        state.applyNext(.createDeployment(Fixtures.record()))
        #expect(state.applyNext(.createDeployment(Fixtures.record("d2"))) == .rejected(.deploymentInProgress(id: "d1")))
        #expect(state.applyNext(.createDeployment(Fixtures.record("d3", module: "api")))?.deployment != nil, "another module")
        #expect(state.applyNext(.createDeployment(Fixtures.record("d4", environment: "qa")))?.deployment != nil, "another environment")
        state.applyNext(Fixtures.control(.abort))
        #expect(state.applyNext(.createDeployment(Fixtures.record("d2")))?.deployment?.state == .running, "allowed once d1 ended")
    }

    /// 16 modules in 64 environments fill the table with deployments that have not finished.
    @Test func aFullTableDropsTheOldestFinishedOrRefuses() {
        var state = Fixtures.state()
        for index in 0..<60 {
            state.applyNext(.putEnvironment(EnvironmentRecord(name: "e\(index)", defaultStrategy: .direct, requiresApproval: false)))
        }
        for module in 0..<16 { state.applyNext(.putModule(ModuleStateTests.record("m\(module)", "2.0.0"))) }
        let environments = state.sortedEnvironments.map(\.name)
        for index in 0..<FleetState.deploymentsMaximum {
            let outcome = state.applyNext(.createDeployment(Fixtures.record("d\(index)", module: "m\(index % 16)",
                                                                            environment: environments[index / 16])))
            #expect(outcome?.deployment != nil)
        }
        let extra = Fixtures.record("extra", module: "web")
        #expect(state.applyNext(.createDeployment(extra)) == .rejected(.tooManyDeployments(maximum: FleetState.deploymentsMaximum)))
        for (id, at) in [("d9", Fixtures.createdAt + 20), ("d7", Fixtures.createdAt + 10)] {
            state.applyNext(.controlDeployment(id: id, action: .abort, by: "bob", reason: "", atMilliseconds: at))
        }
        #expect(state.applyNext(.createDeployment(extra))?.deployment != nil)
        #expect(state.deployments["d7"] == nil && state.deployments["d9"] != nil, "the one that finished first is dropped")
        #expect(state.deployments.count == FleetState.deploymentsMaximum)
    }

    @Test func approvingRunsRejectingAborts() throws {
        var state = Fixtures.state()
        state.applyNext(.createDeployment(Fixtures.record(environment: "production")))
        let approved = state.applyNext(.decideApproval(id: "d1", approve: true, by: "root", reason: "looks good",
                                                       atMilliseconds: Fixtures.createdAt + 1))
        #expect(approved?.deploymentChange == .approval(.approved))
        let record = try #require(approved?.deployment)
        #expect(record.state == .running && record.stateReason == "approved by root: looks good")
        #expect(record.approval == ApprovalRecord(expiresAtMilliseconds: Fixtures.createdAt + Fixtures.day, decision: .approved,
                                                  decidedBy: "root", reason: "looks good", decidedAtMilliseconds: Fixtures.createdAt + 1))
        #expect(state.applyNext(.decideApproval(id: "d1", approve: false, by: "root", reason: "", atMilliseconds: Fixtures.createdAt + 2))
                == .rejected(.invalidTransition(id: "d1", from: .running, action: "reject")))

        state.applyNext(.createDeployment(Fixtures.record("d2", module: "api", environment: "staging")))
        let rejected = try #require(state.applyNext(.decideApproval(id: "d2", approve: false, by: "root", reason: "not today",
                                                                    atMilliseconds: Fixtures.createdAt + 3))?.deployment)
        #expect(rejected.state == .aborted && rejected.stateReason == "rejected by root: not today")
        #expect(rejected.approval?.decision == .rejected && rejected.finishedAtMilliseconds == Fixtures.createdAt + 3)
        #expect(state.applyNext(.decideApproval(id: "nope", approve: true, by: "root", reason: "", atMilliseconds: 0))
                == .rejected(.unknownDeployment("nope")))
    }

    @Test func itsCreatorMayRejectButNotApproveADeployment() throws {
        var state = Fixtures.state()
        state.applyNext(.createDeployment(Fixtures.record(environment: "production")))
        let own = state.applyNext(.decideApproval(id: "d1", approve: true, by: "alice", reason: "mine",
                                                  atMilliseconds: Fixtures.createdAt + 1))
        #expect(own == .rejected(.selfApproval(id: "d1", user: "alice")))
        #expect(state.deployments["d1"]?.state == .awaitingApproval)
        let rejected = state.applyNext(.decideApproval(id: "d1", approve: false, by: "alice", reason: "withdrawn",
                                                       atMilliseconds: Fixtures.createdAt + 2))
        #expect(rejected?.deployment?.state == .aborted)
    }

    @Test func anApprovalExpiresOnlyAtItsTimeAndCannotBeDecidedAfter() throws {
        var state = Fixtures.state()
        state.applyNext(.createDeployment(Fixtures.record(environment: "production")))
        let expiry = Fixtures.createdAt + Fixtures.day
        guard case .rejected(.invalidDeploymentStep) = state.applyNext(.expireApproval(id: "d1", atMilliseconds: expiry - 1)) else {
            Issue.record("expired before its time")
            return
        }
        #expect(state.deployments["d1"]?.state == .awaitingApproval)
        #expect(state.applyNext(.decideApproval(id: "d1", approve: true, by: "root", reason: "", atMilliseconds: expiry))
                == .rejected(.approvalExpired(id: "d1")))
        let expired = state.applyNext(.expireApproval(id: "d1", atMilliseconds: expiry))
        #expect(expired?.deploymentChange == .approval(.expired))
        let record = try #require(expired?.deployment)
        #expect(record.state == .aborted && record.stateReason == "approval expired" && record.approval?.decision == .expired)
        #expect(state.applyNext(.expireApproval(id: "d1", atMilliseconds: expiry + 1))
                == .rejected(.invalidTransition(id: "d1", from: .aborted, action: "expire its approval")))
        #expect(state.applyNext(.expireApproval(id: "d2", atMilliseconds: expiry)) == .rejected(.unknownDeployment("d2")))
    }

    @Test func compactionDropsOnlyFinishedDeploymentsBeforeTheCut() {
        var state = Fixtures.state()
        state.applyNext(.createDeployment(Fixtures.record("old")))
        state.applyNext(.controlDeployment(id: "old", action: .abort, by: "bob", reason: "", atMilliseconds: 100))
        state.applyNext(.createDeployment(Fixtures.record("new")))
        state.applyNext(.controlDeployment(id: "new", action: .abort, by: "bob", reason: "", atMilliseconds: 300))
        state.applyNext(.createDeployment(Fixtures.record("live")))
        #expect(state.applyNext(.compactDeployments(beforeMilliseconds: 300)) == .deploymentsCompacted(removed: 1))
        #expect(state.sortedDeployments.map(\.id) == ["live", "new"])
        #expect(state.applyNext(.compactDeployments(beforeMilliseconds: .max)) == .deploymentsCompacted(removed: 1))
        #expect(state.sortedDeployments.map(\.id) == ["live"])
    }
}
