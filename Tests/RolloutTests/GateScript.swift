import Rollout

/// A wave's polls run through the gate one after another, as a leader would: each decision is the
/// next poll's `previous`. Poll k ends k poll intervals after the installs.
struct GateScript {
    var settings = GateSettings()
    var baseline: GateBaseline

    /// One host-CPU figure per poll for each wave node (nil: no data), the control group's host CPU per poll
    /// (nil: no control value). The baseline holds `baselineCPU` for every node and `controlBaselineCPU`
    /// for each of 5 control nodes (none when nil).
    init(settings: GateSettings = GateSettings(), waveSize: Int, baselineCPU: Double, controlBaselineCPU: Double?) {
        self.settings = settings
        baseline = GateBaseline(
            nodes: Array(repeating: MetricValues([.hostCPU: baselineCPU]), count: waveSize),
            control: controlBaselineCPU.map { MetricValues([.hostCPU: $0]) } ?? .empty,
            windowMilliseconds: UInt64(settings.minimumWaitMilliseconds),
            controlNodes: controlBaselineCPU == nil ? 0 : 5
        )
    }

    init(settings: GateSettings = GateSettings(), baseline: GateBaseline) {
        self.settings = settings
        self.baseline = baseline
    }

    /// Every control node of the baseline reads `control` (no data when it is empty).
    func poll(_ index: Int, _ readings: [NodeReading?], control: MetricValues = .empty) -> GatePoll {
        poll(index, readings, controlNodes: Array(repeating: control.isEmpty ? nil : control, count: baseline.control.count))
    }

    func poll(_ index: Int, _ readings: [NodeReading?], controlNodes: [MetricValues?]) -> GatePoll {
        GatePoll(index: UInt32(index), elapsedMilliseconds: UInt64(index) * UInt64(settings.pollIntervalMilliseconds),
                 nodes: readings, control: controlNodes)
    }

    /// Polls of host CPU: `cpu[k][i]` is node i's figure in poll k + 1; `control[k]` the control group's.
    func cpuPolls(_ cpu: [[Double?]], control: [Double?]) -> [GatePoll] {
        cpu.indices.map { k in
            let readings = cpu[k].map { value in value.map { NodeReading(values: MetricValues([.hostCPU: $0])) } }
            let controlValue = k < control.count ? control[k] : nil
            return poll(k + 1, readings, control: controlValue.map { MetricValues([.hostCPU: $0]) } ?? .empty)
        }
    }

    /// Every node of a wave of `waveSize` at the same CPU figure in each poll.
    func uniformPolls(_ cpu: [Double], waveSize: Int, control: Double?) -> [GatePoll] {
        cpuPolls(cpu.map { Array(repeating: $0, count: waveSize) }, control: Array(repeating: control, count: cpu.count))
    }

    func run(_ polls: [GatePoll], from start: GateDecision? = nil) -> [GateDecision] {
        var previous = start
        return polls.map { poll in
            let decision = StabilizationGate.decide(settings: settings, baseline: baseline, previous: previous, poll: poll)
            previous = decision
            return decision
        }
    }

    func evidence(_ decisions: [GateDecision], at position: Int) -> GateEvidence {
        StabilizationGate.evidence(settings: settings, baseline: baseline, previous: position > 0 ? decisions[position - 1] : nil,
                                   decision: decisions[position])
    }
}

extension GateBaseline {
    /// A baseline whose `controlNodes` control nodes all had `control` (none had data when it is empty).
    init(nodes: [MetricValues?], control: MetricValues, windowMilliseconds: UInt64, controlNodes: Int) {
        self.init(nodes: nodes, control: Array(repeating: control.isEmpty ? nil : control, count: controlNodes),
                  windowMilliseconds: windowMilliseconds)
    }
}

/// A decision's verdict and reason, for comparing whole sequences in one `#expect`.
struct Outcome: Equatable, CustomStringConvertible {
    var verdict: GateVerdict
    var reason: GateReason

    static let wait = Outcome(verdict: .wait, reason: .settling)
    static let proceed = Outcome(verdict: .proceed, reason: .stable)

    static func fail(_ reason: GateReason) -> Outcome { Outcome(verdict: .fail, reason: reason) }

    var description: String { "\(verdict)(\(reason))" }
}

extension Array where Element == GateDecision {
    var outcomes: [Outcome] { map { Outcome(verdict: $0.verdict, reason: $0.reason) } }
}

/// SplitMix64: a seeded source for the noise tests, so a failing seed replays exactly.
struct SeededRandom: RandomNumberGenerator {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
