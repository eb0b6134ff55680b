import Cluster
import Fleet
import Foundation
import Rollout
import Testing

/// The deployment API's pure parts: the `POST /api/v1/deployments` body (absent fields take the
/// environment's policy, refusals name the field), the plan made from the replicated state and its
/// refusals, the listing's filters and pages, and the JSON shown.
struct DeploymentAPITests {
    static func decode(_ json: String, over policy: EnvironmentRolloutPolicy = .defaults) throws -> DeploymentBody {
        let decoder = JSONDecoder()
        decoder.userInfo[DeploymentBody.policyKey] = policy
        return try decoder.decode(DeploymentBody.self, from: Data(json.utf8))
    }

    static func refusal(_ json: String) -> String? {
        do {
            _ = try decode(json)
            return nil
        } catch let refusal as DeploymentBody.Refusal {
            return refusal.description
        } catch {
            return "not a refusal: \(error)"
        }
    }

    static let inputs = DeploymentPlan.Inputs(
        environments: [EnvironmentRecord(name: "development", defaultStrategy: .canary, requiresApproval: false),
                       EnvironmentRecord(name: "production", defaultStrategy: .canary, requiresApproval: true)],
        nodes: ["n3": NodeRecord(id: "n3", environment: "development"),
                "n1": NodeRecord(id: "n1", environment: "development", moduleVersions: ["web": "1.0.0"]),
                "n2": NodeRecord(id: "n2", environment: "development", moduleVersions: ["api": "3.0.0"]),
                "p1": NodeRecord(id: "p1", environment: "staging")],
        modules: ["web": ["2.0.0": ModuleRecord(name: "web", version: "2.0.0", sha256: Array(repeating: 1, count: 32), byteCount: 1,
                                                 manifest: [], uploadedBy: "ada", uploadedAtMilliseconds: 1)]],
        deployments: [:])

    static func plan(_ json: String, inputs: DeploymentPlan.Inputs = inputs,
                     entryBytesMaximum: Int = 1 << 20) throws -> Result<DeploymentRecord, DeploymentPlan.Refusal> {
        DeploymentPlan.record(try decode(json), id: "d-0123456789ab", createdBy: "ada", nowMilliseconds: 5_000, inputs: inputs,
                              entryBytesMaximum: entryBytesMaximum)
    }

    @Test func absentGateFieldsTakeTheEnvironmentsPolicyNotTheDefaults() throws {
        var policy = EnvironmentRolloutPolicy.defaults
        policy.gate.pollIntervalMilliseconds = 5_000
        policy.gate.onFailure = .pause
        policy.parameters.canaryPercents = [50, 100]
        let body = try Self.decode(#"{"module":"web","version":"2.0.0","environment":"qa","gate":{"consecutiveStable":5}}"#,
                                   over: policy)
        #expect(body.gate.pollIntervalMilliseconds == 5_000 && body.gate.onFailure == .pause && body.gate.consecutiveStable == 5)
        #expect(body.parameters.canaryPercents == [50, 100] && body.strategy == nil && body.installConcurrency == 16)
    }

    @Test func refusalsNameTheField() {
        let cases: [(String, String)] = [
            (#"{"version":"1","environment":"qa"}"#, "module is required"),
            (#"{"module":"web","version":"1","environment":"qa","strategy":"sideways"}"#, "strategy 'sideways'"),
            (#"{"module":"web","version":"1","environment":"qa","gate":{"pollInterval":1}}"#, "'gate.pollInterval'"),
            (#"{"module":"web","version":"1","environment":"qa","installConcurrency":1025}"#, "installConcurrency must be 1 to 1024"),
            (#"{"module":"web","version":"1","environment":"qa","colour":"red"}"#, "a deployment has module"),
            (#"{"module":"web","version":1,"environment":"qa"}"#, "version must be a string"),
        ]
        for (json, expected) in cases {
            #expect(Self.refusal(json)?.contains(expected) == true, "\(json): \(Self.refusal(json) ?? "accepted")")
        }
    }

    @Test func aPlanTakesTheEnvironmentsNodesSortedWithTheirPreviousVersions() throws {
        let record = try Self.plan(#"{"module":"web","version":"2.0.0","environment":"development","strategy":"rolling","#
                                   + #""strategyParameters":{"rollingBatchSize":2}}"#).get()
        #expect(record.nodes.map(\.id) == ["n1", "n2", "n3"] && record.nodes.map(\.wave) == [0, 0, 1])
        #expect(record.nodes.map(\.previousVersion) == ["1.0.0", nil, nil] && record.waves.count == 2)
        #expect(record.createdBy == "ada" && record.createdAtMilliseconds == 5_000 && record.invalidity == nil)
        let canary = try Self.plan(#"{"module":"web","version":"2.0.0","environment":"development"}"#).get()
        #expect(canary.strategy == .canary, "the environment's default strategy")
    }

    @Test func aPlanIsRefusedBeforeAnythingIsProposed() throws {
        #expect(try Self.plan(#"{"module":"web","version":"2.0.0","environment":"qa"}"#) == .failure(.unknownEnvironment("qa")))
        #expect(try Self.plan(#"{"module":"web","version":"9","environment":"development"}"#)
                == .failure(.unknownModule(name: "web", version: "9")))
        #expect(try Self.plan(#"{"module":"web","version":"2.0.0","environment":"production"}"#)
                == .failure(.noNodes(environment: "production")))
        var busy = Self.inputs
        let running = try Self.plan(#"{"module":"web","version":"2.0.0","environment":"development"}"#).get()
        busy.deployments[running.id] = running
        #expect(try Self.plan(#"{"module":"web","version":"2.0.0","environment":"development"}"#, inputs: busy)
                == .failure(.inProgress(id: running.id)))
        guard case let .failure(.tooLarge(bytes, maximum, nodes, fitting)) = try Self.plan(
            #"{"module":"web","version":"2.0.0","environment":"development"}"#, entryBytesMaximum: 2_100) else {
            Issue.record("a plan over the entry limit was not refused")
            return
        }
        #expect(bytes > maximum && maximum == 2_100 && nodes == 3 && fitting < nodes, "\(bytes) \(nodes) \(fitting)")
        let tooManyWaves = try Self.plan(#"{"module":"web","version":"2.0.0","environment":"development","strategy":"rolling","#
                                         + #""strategyParameters":{"rollingBatchSize":1}}"#)
        #expect((try? tooManyWaves.get()) != nil, "three waves are within the bound")
    }

    @Test func anIdIsDAndTwelveHexDigits() {
        let id = DeploymentPlan.id(random: [0x00, 0x1f, 0xa0, 0xff, 0x12, 0x34])
        #expect(id == "d-001fa0ff1234" && DeploymentRecord.isValidID(id))
    }

    static func record(_ id: String, at time: UInt64, environment: String = "development", state: DeploymentState = .running)
        -> DeploymentRecord {
        DeploymentRecord(id: id, module: "web", version: "2.0.0", environment: environment, strategy: .direct, createdBy: "ada",
                         createdAtMilliseconds: time, state: state, waves: [WaveRecord()],
                         nodes: [DeploymentNode(id: "n1", wave: 0, previousVersion: nil, state: .installFailed)])
    }

    @Test func aListingIsNewestFirstFilteredAndPaged() throws {
        let records = [Self.record("d-a", at: 1), Self.record("d-b", at: 3, state: .succeeded), Self.record("d-c", at: 2),
                       Self.record("d-d", at: 3, environment: "qa")]
        var listing = DeploymentListing()
        listing.limit = 2
        let first = listing.page(of: records)
        #expect(first.records.map(\.id) == ["d-d", "d-b"] && first.next == "3.d-b")
        listing.before = first.next.flatMap { DeploymentListing.Cursor($0) }
        #expect(listing.before != nil)
        let second = listing.page(of: records)
        #expect(second.records.map(\.id) == ["d-c", "d-a"] && second.next == nil)
        var filtered = DeploymentListing()
        filtered.environment = "development"
        filtered.state = .running
        #expect(filtered.page(of: records).records.map(\.id) == ["d-c", "d-a"])
        #expect(DeploymentListing.Cursor("3") == nil && DeploymentListing.Cursor("x.d-a") == nil)
    }

    @Test func theRecordsJSONShowsWavesNodesAndSettings() throws {
        var record = Self.record("d-a", at: 1)
        record.approval = ApprovalRecord(expiresAtMilliseconds: 9, decision: .rejected, decidedBy: "ada", reason: "no")
        record.waves[0].passedBy = .promoted(by: "bo")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(DeploymentJSON.record(record).utf8)) as? [String: Any])
        #expect(json["state"] as? String == "running" && json["waveCount"] as? Int == 1)
        #expect((json["approval"] as? [String: Any])?["decision"] as? String == "rejected")
        let node = (json["nodes"] as? [[String: Any]])?.first ?? [:]
        #expect(node["state"] as? String == "install_failed" && node["previousVersion"] is NSNull)
        let wave = (json["waves"] as? [[String: Any]])?.first ?? [:]
        #expect(wave["state"] as? String == "pending" && (wave["passedBy"] as? [String: Any])?["by"] as? String == "bo")
        #expect(((json["settings"] as? [String: Any])?["gate"] as? [String: Any])?["onFailure"] as? String == "rollback")
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(DeploymentJSON.summary(record).utf8)) as? [String: Any])
        #expect(summary["waves"] == nil && summary["id"] as? String == "d-a")
    }

    /// A record whose one wave is gating with one kept decision, poll `index`, of `count` recorded.
    static func gating(poll index: UInt32, elapsed: UInt64, count: UInt32) -> DeploymentRecord {
        var record = Self.record("d-a", at: 1)
        record.waves[0].state = .gating
        record.waves[0].baseline = GateBaseline(nodes: [nil], windowMilliseconds: 60_000)
        record.waves[0].decisions = [GateDecision(poll: GatePoll(index: index, elapsedMilliseconds: elapsed, nodes: [nil]), verdict: .wait,
                                                  reason: .settling, consecutiveStable: 0, failingStreaks: [0], consecutiveNoData: 1)]
        record.waves[0].decisionCount = count
        return record
    }

    @Test func eachKeptDecisionIsShownWithItsEvidenceLines() throws {
        let record = Self.gating(poll: 1, elapsed: 30_000, count: 3)
        let wave = try #require(try JSONSerialization.jsonObject(with: Data(DeploymentJSON.wave(record, 0).utf8)) as? [String: Any])
        let decision = (wave["decisions"] as? [[String: Any]])?.first ?? [:]
        #expect(wave["decisionCount"] as? Int == 3 && decision["index"] as? Int == 1 && decision["elapsedMs"] as? Int == 30_000)
        #expect(decision["verdict"] as? String == "wait" && decision["reason"] as? String == "\(GateReason.settling)")
        #expect(decision["reasonCode"] as? String == "settling")
        #expect(Set(GateReason.allCases.map(DeploymentJSON.code)).count == GateReason.allCases.count, "each rule its own code")
        #expect(DeploymentJSON.code(of: .maximumWait) == "maximum_wait")
        let lines = decision["lines"] as? [String] ?? []
        let expected = StabilizationGate.evidence(settings: record.gate, baseline: try #require(record.waves[0].baseline), previous: nil,
                                                  decision: record.waves[0].decisions[0]).lines
        #expect(lines == expected && lines.first?.hasPrefix("poll 1 of") == true, "\(lines)")
    }

    @Test func theOldestKeptDecisionAfterDroppedOnesShowsItsSummaryOnly() throws {
        let record = Self.gating(poll: 5, elapsed: 150_000, count: 5)
        let wave = try #require(try JSONSerialization.jsonObject(with: Data(DeploymentJSON.wave(record, 0).utf8)) as? [String: Any])
        let decision = (wave["decisions"] as? [[String: Any]])?.first ?? [:]
        let lines = decision["lines"] as? [String] ?? []
        #expect(lines.count == 2 && lines.first?.hasPrefix("poll 5 of") == true && lines.last == DeploymentJSON.earlierPollsNotKept,
                "\(lines)")
    }

    @Test func approvalsArePendingFirstThenTheDecided() {
        var pending = Self.record("d-p", at: 5, state: .awaitingApproval)
        pending.approval = ApprovalRecord(expiresAtMilliseconds: 100)
        var decided = Self.record("d-q", at: 1)
        decided.approval = ApprovalRecord(expiresAtMilliseconds: 100, decision: .approved, decidedBy: "ada", decidedAtMilliseconds: 2)
        #expect(DeploymentListing.approvals(of: [decided, Self.record("d-x", at: 9), pending]).map(\.id) == ["d-p", "d-q"])
        // Staging's hour, created later, expires before production's day: it is on top.
        var production = Self.record("d-prod", at: 1, state: .awaitingApproval)
        production.approval = ApprovalRecord(expiresAtMilliseconds: 86_400_001)
        var staging = Self.record("d-stage", at: 3_600_000, state: .awaitingApproval)
        staging.approval = ApprovalRecord(expiresAtMilliseconds: 7_200_000)
        #expect(DeploymentListing.approvals(of: [production, staging]).map(\.id) == ["d-stage", "d-prod"])
    }

    @Test func overridesNameTheStrategyAndTheInstallConcurrency() {
        var record = Self.record("d-o", at: 1)
        #expect(DeploymentOverrides.fields(record, defaultStrategy: .direct, over: nil).isEmpty)
        record.installConcurrency = 1_024
        let fields = DeploymentOverrides.fields(record, defaultStrategy: .canary, over: nil)
        #expect(fields.map { "\($0.field)=\($0.deployment)/\($0.environment)" }
            == [#"strategy="direct"/"canary""#, "installConcurrency=1024/16"])
        // An environment that is gone has no default to compare with.
        #expect(DeploymentOverrides.fields(record, defaultStrategy: nil, over: nil).map(\.field) == ["installConcurrency"])
    }
}
