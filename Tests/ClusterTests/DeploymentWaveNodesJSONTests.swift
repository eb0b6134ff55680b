import Cluster
import Fleet
import Foundation
import Rollout
import Testing

/// `GET /api/v1/deployments/{id}/waves/{n}/nodes`'s JSON (`DeploymentJSON.waveNodes`): the wave's
/// nodes as its latest decision judged them, those not stable first, bounded by `limit`, each
/// metric's figures with `allowed` = baseline + control change + band; before any decision, every
/// node unjudged.
struct DeploymentWaveNodesJSONTests {
    /// Wave 0 has n1, n2, n3 (n2's host CPU at 70 over a baseline of 50), wave 1 has c1, c2, the
    /// control group, steady; two polls, so settling is judged.
    static func record(decided: Bool = true) -> DeploymentRecord {
        let steady = MetricValues([.hostCPU: 50, .hostMemory: 40])
        let baseline = GateBaseline(nodes: [steady, steady, steady], control: [steady, steady], windowMilliseconds: 120_000)
        func poll(_ index: UInt32, n1: Double) -> GatePoll {
            let nodes = [n1, 70, 50].map { NodeReading(values: MetricValues([.hostCPU: $0, .hostMemory: 40]), samples: 3) }
            return GatePoll(index: index, elapsedMilliseconds: UInt64(index) * 30_000, nodes: nodes, control: [steady, steady])
        }
        let settings = GateSettings()
        let first = StabilizationGate.decide(settings: settings, baseline: baseline, previous: nil, poll: poll(1, n1: 50))
        let second = StabilizationGate.decide(settings: settings, baseline: baseline, previous: first, poll: poll(2, n1: 51))
        let wave = WaveRecord(state: .gating, startedAtMilliseconds: 1, gatingSinceMilliseconds: 2, baseline: baseline,
                              decisions: decided ? [first, second] : [], decisionCount: decided ? 2 : 0)
        let nodes = [("n1", 0), ("n2", 0), ("n3", 0), ("c1", 1), ("c2", 1)].map {
            DeploymentNode(id: $0.0, wave: UInt16($0.1), previousVersion: "1.0.0", state: $0.1 == 0 ? .installed : .pending)
        }
        return DeploymentRecord(id: "d-a", module: "web", version: "2.0.0", environment: "development", strategy: .rolling,
                                createdBy: "ada", createdAtMilliseconds: 1, waves: [wave, WaveRecord()], nodes: nodes)
    }

    static func json(_ record: DeploymentRecord, wave: Int = 0, limit: Int = 50) throws -> [String: Any] {
        let text = DeploymentJSON.waveNodes(record, wave, limit: limit)
        return try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    static func metric(_ node: [String: Any], _ name: String) -> [String: Any] {
        (node["metrics"] as? [[String: Any]] ?? []).first { $0["metric"] as? String == name } ?? [:]
    }

    @Test func nodesThatWereNotStableComeFirstWithTheFiguresTheirRulesCompared() throws {
        let json = try Self.json(Self.record())
        let nodes = json["nodes"] as? [[String: Any]] ?? []
        #expect(nodes.map { $0["id"] as? String } == ["n2", "n1", "n3"] && json["more"] as? Int == 0, "\(json)")
        #expect(json["index"] as? Int == 0 && json["state"] as? String == "gating" && json["nodeCount"] as? Int == 3)
        let decision = json["decision"] as? [String: Any] ?? [:]
        #expect(decision["index"] as? Int == 2 && decision["verdict"] as? String == "wait")
        #expect(decision["consecutiveStableWanted"] as? Int == 3)
        #expect(decision["pollsMaximum"] as? Int == 60, "30 min of 30 s polls: \(decision)")
        let regressed = Self.metric(nodes[0], "hostCPU")
        #expect(regressed["value"] as? Double == 70 && regressed["baseline"] as? Double == 50 && regressed["previous"] as? Double == 70)
        #expect(regressed["allowed"] as? Double == 55 && regressed["ceiling"] as? Double == 80,
                "10 % of 50, no control change: \(regressed)")
        #expect(regressed["controlChange"] as? Double == 0 && regressed["outcome"] as? String == "regressed", "\(regressed)")
        #expect(nodes[0]["stable"] as? Bool == false && nodes[0]["failingStreak"] as? Int == 2 && nodes[0]["judged"] as? Bool == true)
        let settled = Self.metric(nodes[1], "hostCPU")
        #expect(settled["value"] as? Double == 51 && settled["outcome"] as? String == "settled" && nodes[1]["stable"] as? Bool == true)
        let latency = Self.metric(nodes[1], "probeLatency")
        #expect(latency["value"] is NSNull && latency["allowed"] is NSNull && latency["outcome"] as? String == "not_judged", "\(latency)")
        #expect(nodes[1]["state"] as? String == "installed" && nodes[1]["hasData"] as? Bool == true)
        #expect(nodes[1]["probeFailed"] as? Bool == false && nodes[1]["moduleAbsent"] as? Bool == false)
    }

    @Test func aLimitShowsThatManyAndCountsTheRest() throws {
        let json = try Self.json(Self.record(), limit: 1)
        #expect((json["nodes"] as? [[String: Any]] ?? []).map { $0["id"] as? String } == ["n2"] && json["more"] as? Int == 2, "\(json)")
    }

    @Test func beforeTheFirstDecisionEveryNodeIsUnjudgedInPlanOrder() throws {
        let json = try Self.json(Self.record(decided: false), limit: 2)
        let nodes = json["nodes"] as? [[String: Any]] ?? []
        #expect(json["decision"] is NSNull && nodes.map { $0["id"] as? String } == ["n1", "n2"] && json["more"] as? Int == 1, "\(json)")
        #expect(nodes.allSatisfy { $0["judged"] as? Bool == false && ($0["metrics"] as? [Any])?.isEmpty == true && $0["stable"] == nil })
        let pending = try Self.json(Self.record(), wave: 1)
        #expect((pending["nodes"] as? [[String: Any]] ?? []).map { $0["state"] as? String } == ["pending", "pending"], "\(pending)")
    }

    @Test func everyMetricAndOutcomeHasItsOwnCode() {
        #expect(Set(GateMetric.allCases.map { DeploymentJSON.code(of: $0) }).count == GateMetric.allCases.count)
        #expect(Set(GateMetricOutcome.allCases.map { DeploymentJSON.code(of: $0) }).count == GateMetricOutcome.allCases.count)
    }
}
