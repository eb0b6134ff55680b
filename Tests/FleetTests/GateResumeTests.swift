import Fleet
import Primitives
import Rollout
import Testing

/// A new leader resumes a wave's gate from what the log stored: the baseline of `startWave` and the
/// last decision of `recordGateDecision`, each decoded from its bytes. A run that continues from
/// the decoded values at every poll gives the verdicts, decisions and evidence of the run in memory.
@Suite struct GateResumeTests {
    static let settings = GateSettings()

    /// Three wave nodes (one with no baseline, one with -0.0 and an empty baseline) and three control
    /// nodes (one silent in the baseline).
    static let baseline = GateBaseline(
        nodes: [MetricValues([.hostCPU: 40, .probeLatency: 20, .moduleMemory: -0.0]), nil, MetricValues()],
        control: [MetricValues([.hostCPU: 40, .probeLatency: 20]), nil, MetricValues([.hostCPU: 44, .probeLatency: -0.0])],
        windowMilliseconds: 90_000)

    static func reading(_ cpu: Double, latency: Double? = 21, missing: UInt32 = 0) -> NodeReading {
        var values = MetricValues([.hostCPU: cpu, .moduleMemory: -0.0])
        values[.probeLatency] = latency
        return NodeReading(values: values, samples: 30, samplesWithoutModule: missing)
    }

    /// Nil readings, a reading without values, -0.0, a node missing the module from some samples, a
    /// regression that streaks and clears, then a steady run to proceed.
    static var polls: [GatePoll] {
        let rows: [[NodeReading?]] = [
            [reading(41), nil, NodeReading(values: MetricValues())],
            [reading(48, latency: nil), reading(41), reading(-0.0)],
            [reading(48), reading(41), reading(0, missing: 2)],
            [reading(42), nil, reading(0)],
            [reading(41), reading(41), reading(0)],
            [reading(42), reading(42), reading(0)],
            [reading(41), reading(41), reading(0)],
            [reading(42), reading(42), reading(0)],
        ]
        let control: [[MetricValues?]] = rows.indices.map { k in
            [MetricValues([.hostCPU: 40 + Double(k % 2)]), k == 3 ? nil : MetricValues(), MetricValues([.hostCPU: 44, .probeLatency: 0])]
        }
        return rows.indices.map { k in
            GatePoll(index: UInt32(k + 1), elapsedMilliseconds: UInt64(k + 1) * 30_000, nodes: rows[k], control: control[k])
        }
    }

    @Test func continuingFromDecodedDecisionsEqualsContinuingInMemory() throws {
        var inMemory: [GateDecision] = []
        for poll in Self.polls {
            inMemory.append(StabilizationGate.decide(settings: Self.settings, baseline: Self.baseline, previous: inMemory.last, poll: poll))
        }
        #expect(inMemory.map(\.verdict) == [.wait, .wait, .wait, .wait, .wait, .wait, .wait, .proceed])
        #expect(inMemory.map { $0.failingStreaks[0] } == [0, 1, 2, 0, 0, 0, 0, 0])

        let restored = try Self.decodedBaseline()
        #expect(restored == Self.baseline)
        #expect(restored.nodes[0]?[.moduleMemory]?.sign == .minus, "-0.0 keeps its sign")
        var stored: GateDecision?
        for (k, poll) in Self.polls.enumerated() {
            let decision = StabilizationGate.decide(settings: Self.settings, baseline: restored, previous: stored, poll: poll)
            let decoded = try Self.decoded(decision)
            #expect(decoded == inMemory[k], "poll \(k + 1)")
            #expect(decoded.verdict == inMemory[k].verdict && decoded.reason == inMemory[k].reason)
            let evidence = StabilizationGate.evidence(settings: Self.settings, baseline: restored, previous: stored, decision: decoded)
            let inMemoryEvidence = StabilizationGate.evidence(settings: Self.settings, baseline: Self.baseline,
                                                              previous: k > 0 ? inMemory[k - 1] : nil, decision: inMemory[k])
            #expect(evidence.lines == inMemoryEvidence.lines, "poll \(k + 1)")
            stored = decoded
        }
    }

    @Test func aControlListOverItsBoundIsRefusedOnDecode() throws {
        var crowded = Self.baseline
        crowded.control = Array(repeating: MetricValues([.hostCPU: 1]), count: GateBaseline.controlNodesMaximum + 1)
        let bytes = FleetCodec.encode(.startWave(id: "d1", wave: 0, baseline: crowded, atMilliseconds: 1))
        #expect(throws: BinaryDecodingError.self) { try FleetCodec.decodeCommand(bytes) }
        var poll = Self.polls[0]
        poll.control = crowded.control
        let decision = GateDecision(poll: poll, verdict: .wait, reason: .settling, consecutiveStable: 0, failingStreaks: [0, 0, 0],
                                    consecutiveNoData: 0)
        let decisionBytes = FleetCodec.encode(.recordGateDecision(id: "d1", wave: 0, decision: decision, atMilliseconds: 1))
        #expect(throws: BinaryDecodingError.self) { try FleetCodec.decodeCommand(decisionBytes) }
        crowded.control.removeLast()
        let fits = FleetCodec.encode(.startWave(id: "d1", wave: 0, baseline: crowded, atMilliseconds: 1))
        #expect(try FleetCodec.decodeCommand(fits) == .startWave(id: "d1", wave: 0, baseline: crowded, atMilliseconds: 1))
    }

    static func decodedBaseline() throws -> GateBaseline {
        let bytes = FleetCodec.encode(.startWave(id: "d1", wave: 0, baseline: baseline, atMilliseconds: 1))
        guard case let .startWave(_, _, decoded, _) = try FleetCodec.decodeCommand(bytes) else {
            Issue.record("not a startWave")
            return baseline
        }
        return decoded
    }

    static func decoded(_ decision: GateDecision) throws -> GateDecision {
        let bytes = FleetCodec.encode(.recordGateDecision(id: "d1", wave: 0, decision: decision, atMilliseconds: 1))
        guard case let .recordGateDecision(_, _, decoded, _) = try FleetCodec.decodeCommand(bytes) else {
            Issue.record("not a recordGateDecision")
            return decision
        }
        return decoded
    }
}
