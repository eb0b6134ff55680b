import Cluster
import Fleet
import Foundation
import Rollout
import Testing

/// `GET /api/v1/deployments/{id}/waves/{n}/nodes`'s JSON (`DeploymentJSON.waveNodes`): the wave's
/// nodes as its latest decision judged them, failing first, then not stable, then stable, bounded
/// by `limit` with the tiers counted; each metric's figures with `allowed` = baseline + control
/// change + band, which a value above regressed; before any decision, every node unjudged.
struct DeploymentWaveNodesJSONTests {
    /// The plan interleaves the waves: c1, n1, c2, n2, n3; wave 0 is n1, n2, n3, wave 1 (c1, c2)
    /// the control group, whose host CPU rises from 50 to 60 (+20 %), so each wave node at a
    /// baseline of 50 is expected at 60 and allowed 65 (10 % of 50 over that). Poll 2: n1 moves
    /// from 50 to 60 (not settled, not regressed), n2 stays at 75 (regressed), n3 at 50 (stable).
    static func record(decided: Bool = true) -> DeploymentRecord {
        let steady = MetricValues([.hostCPU: 50, .hostMemory: 40])
        let risen = MetricValues([.hostCPU: 60, .hostMemory: 40])
        let baseline = GateBaseline(nodes: [steady, steady, steady], control: [steady, steady], windowMilliseconds: 120_000)
        func poll(_ index: UInt32, n1: Double) -> GatePoll {
            let nodes = [n1, 75, 50].map { NodeReading(values: MetricValues([.hostCPU: $0, .hostMemory: 40]), samples: 3) }
            return GatePoll(index: index, elapsedMilliseconds: UInt64(index) * 30_000, nodes: nodes, control: [risen, risen])
        }
        let settings = GateSettings()
        let first = StabilizationGate.decide(settings: settings, baseline: baseline, previous: nil, poll: poll(1, n1: 50))
        let second = StabilizationGate.decide(settings: settings, baseline: baseline, previous: first, poll: poll(2, n1: 60))
        let wave = WaveRecord(state: .gating, startedAtMilliseconds: 1, gatingSinceMilliseconds: 2, baseline: baseline,
                              decisions: decided ? [first, second] : [], decisionCount: decided ? 2 : 0)
        let nodes = [("c1", 1), ("n1", 0), ("c2", 1), ("n2", 0), ("n3", 0)].map {
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

    @Test func failingNodesComeFirstThenTheNotStableWithTheFiguresTheirRulesCompared() throws {
        let json = try Self.json(Self.record())
        let nodes = json["nodes"] as? [[String: Any]] ?? []
        #expect(nodes.map { $0["id"] as? String } == ["n2", "n1", "n3"] && json["more"] as? Int == 0, "\(json)")
        #expect(json["failing"] as? Int == 1 && json["notStable"] as? Int == 1, "\(json)")
        #expect(json["index"] as? Int == 0 && json["state"] as? String == "gating" && json["nodeCount"] as? Int == 3)
        let decision = json["decision"] as? [String: Any] ?? [:]
        #expect(decision["index"] as? Int == 2 && decision["verdict"] as? String == "wait")
        #expect(decision["consecutiveStableWanted"] as? Int == 3 && decision["consecutiveFailingWanted"] as? Int == 3)
        #expect(decision["pollsMaximum"] as? Int == 60, "30 min of 30 s polls: \(decision)")
        let regressed = Self.metric(nodes[0], "hostCPU")
        #expect(regressed["value"] as? Double == 75 && regressed["baseline"] as? Double == 50 && regressed["previous"] as? Double == 75)
        #expect(regressed["controlChange"] as? Double == 10 && regressed["allowed"] as? Double == 65, "50 + 10 + 10 % of 50: \(regressed)")
        #expect(regressed["ceiling"] as? Double == 80)
        #expect(regressed["outcome"] as? String == "regressed" && nodes[0]["failing"] as? Bool == true, "\(nodes[0])")
        #expect(nodes[0]["stable"] as? Bool == false && nodes[0]["failingStreak"] as? Int == 2 && nodes[0]["judged"] as? Bool == true)
        let settling = Self.metric(nodes[1], "hostCPU")
        #expect(settling["value"] as? Double == 60 && settling["outcome"] as? String == "not_settled", "\(settling)")
        #expect(nodes[1]["failing"] as? Bool == false && nodes[1]["stable"] as? Bool == false)
        #expect(Self.metric(nodes[2], "hostCPU")["outcome"] as? String == "settled" && nodes[2]["stable"] as? Bool == true)
        let latency = Self.metric(nodes[2], "probeLatency")
        #expect(latency["value"] is NSNull && latency["allowed"] is NSNull && latency["outcome"] as? String == "not_judged", "\(latency)")
        #expect(nodes[2]["state"] as? String == "installed" && nodes[2]["hasData"] as? Bool == true)
        #expect(nodes[2]["probeFailed"] as? Bool == false && nodes[2]["samples"] as? Int == 3)
        #expect(nodes[2]["samplesWithoutModule"] as? Int == 0)
    }

    /// What the live view marks: a value above `allowed` is regressed (or, worse, over the
    /// ceiling), and a regressed value is above `allowed`.
    @Test func aValueAboveAllowedIsExactlyARegression() throws {
        let nodes = try Self.json(Self.record())["nodes"] as? [[String: Any]] ?? []
        let metrics = nodes.flatMap { $0["metrics"] as? [[String: Any]] ?? [] }
        let judged = metrics.compactMap { metric -> (Double, Double, String)? in
            guard let value = metric["value"] as? Double, let allowed = metric["allowed"] as? Double else { return nil }
            return (value, allowed, metric["outcome"] as? String ?? "")
        }
        #expect(judged.count == 6, "host CPU and memory of three nodes: \(metrics)")
        for (value, allowed, outcome) in judged {
            #expect((value > allowed) == ["regressed", "over_ceiling"].contains(outcome), "\(value) against \(allowed): \(outcome)")
        }
    }

    @Test func aLimitShowsTheFailingFirstAndCountsTheTiers() throws {
        let json = try Self.json(Self.record(), limit: 1)
        #expect((json["nodes"] as? [[String: Any]] ?? []).map { $0["id"] as? String } == ["n2"] && json["more"] as? Int == 2, "\(json)")
        #expect(json["failing"] as? Int == 1 && json["notStable"] as? Int == 1, "\(json)")
    }

    @Test func beforeTheFirstDecisionEveryNodeIsUnjudgedInPlanOrder() throws {
        let json = try Self.json(Self.record(decided: false), limit: 2)
        let nodes = json["nodes"] as? [[String: Any]] ?? []
        #expect(json["decision"] is NSNull && nodes.map { $0["id"] as? String } == ["n1", "n2"] && json["more"] as? Int == 1, "\(json)")
        #expect(nodes.allSatisfy { $0["judged"] as? Bool == false && ($0["metrics"] as? [Any])?.isEmpty == true && $0["stable"] == nil })
        #expect(json["failing"] as? Int == 0 && json["notStable"] as? Int == 0)
        let pending = try Self.json(Self.record(), wave: 1)
        let pendingNodes = pending["nodes"] as? [[String: Any]] ?? []
        #expect(pendingNodes.map { $0["id"] as? String } == ["c1", "c2"], "\(pending)")
        #expect(pendingNodes.map { $0["state"] as? String } == ["pending", "pending"], "\(pending)")
    }

    @Test func everyMetricAndOutcomeHasItsOwnCode() {
        #expect(Set(GateMetric.allCases.map { DeploymentJSON.code(of: $0) }).count == GateMetric.allCases.count)
        #expect(Set(GateMetricOutcome.allCases.map { DeploymentJSON.code(of: $0) }).count == GateMetricOutcome.allCases.count)
    }
}
