import Fleet
import Rollout
import Wire

/// A deployment's waves as API JSON: each wave's state and progress in the record's answer, with
/// only its latest decision's verdict, and one wave with its kept gate decisions
/// (`GET /api/v1/deployments/{id}/waves/{n}`), each rendered through its evidence
/// (`GateEvidence.boundedLines`), never from the poll, formatting only the `evidenceLinesShown` node lines shown.
extension DeploymentJSON {
    /// Node lines shown per decision; the rest are counted in a last line ("… and N more").
    public static let evidenceLinesShown = 50

    /// What stands for the evidence of the oldest kept decision when the poll before it was dropped.
    public static let earlierPollsNotKept = "the poll before this one is not kept, so the comparison with it cannot be shown; "
        + "the verdict is as stored"

    /// A wave in the record's answer: its fields and its latest decision without evidence.
    static func waveSummary(_ record: DeploymentRecord, _ index: Int, nodes: Int) -> String {
        let latest = record.waves[index].decisions.last.map { decisionFields($0).joined(separator: ",") }
        return "{" + (waveFields(record, index, nodes: nodes) + ["\"latestDecision\":\(latest.map { "{\($0)}" } ?? "null")"])
            .joined(separator: ",") + "}"
    }

    /// How many nodes each wave has, counted in one pass over the nodes.
    static func nodesPerWave(_ record: DeploymentRecord) -> [Int] {
        var counts = [Int](repeating: 0, count: record.waves.count)
        for node in record.nodes where counts.indices.contains(Int(node.wave)) {
            counts[Int(node.wave)] += 1
        }
        return counts
    }

    /// `GET /api/v1/deployments/{id}/waves/{n}`: the wave's fields and its kept decisions, oldest
    /// first, each with its summary line and at most `evidenceLinesShown` node lines, the rest counted.
    public static func wave(_ record: DeploymentRecord, _ index: Int) -> String {
        let wave = record.waves[index]
        var decisions: [String] = []
        for (position, decision) in wave.decisions.enumerated() {
            let previous = position > 0 ? wave.decisions[position - 1] : nil
            let lines = wave.baseline.map {
                evidenceLines(StabilizationGate.evidence(settings: record.gate, baseline: $0, previous: previous, decision: decision),
                              previousKept: previous != nil || decision.poll.index <= 1)
            } ?? []
            decisions.append("{" + (decisionFields(decision) + ["\"lines\":[\(lines.map(JSONText.quoted).joined(separator: ","))]"])
                .joined(separator: ",") + "}")
        }
        let nodes = record.nodes.count { Int($0.wave) == index }
        return "{" + (waveFields(record, index, nodes: nodes) + ["\"decisions\":[\(decisions.joined(separator: ","))]"])
            .joined(separator: ",") + "}"
    }

    /// The evidence's lines with at most `evidenceLinesShown` node lines, then how many more there
    /// are; when the poll before this one was dropped, what it said of settling cannot be shown
    /// again, so only the summary line and `earlierPollsNotKept`.
    static func evidenceLines(_ evidence: GateEvidence, previousKept: Bool) -> [String] {
        guard previousKept else {
            return Array(evidence.boundedLines(maximumNodeLines: 0).lines.prefix(1)) + [Self.earlierPollsNotKept]
        }
        let bounded = evidence.boundedLines(maximumNodeLines: Self.evidenceLinesShown)
        return bounded.lines + (bounded.more > 0 ? ["… and \(bounded.more) more"] : [])
    }

    static func decisionFields(_ decision: GateDecision) -> [String] {
        ["\"index\":\(decision.poll.index)", "\"elapsedMs\":\(decision.poll.elapsedMilliseconds)",
         "\"verdict\":\(JSONText.quoted("\(decision.verdict)"))", "\"reason\":\(JSONText.quoted("\(decision.reason)"))",
         "\"reasonCode\":\(JSONText.quoted(code(of: decision.reason)))"]
    }

    /// The rule that decided, as a stable code for programs (`reason` is its prose).
    public static func code(of reason: GateReason) -> String {
        switch reason {
        case .settling: "settling"
        case .stable: "stable"
        case .maximumWait: "maximum_wait"
        case .regressed: "regressed"
        case .ceiling: "ceiling"
        case .noData: "no_data"
        case .probeFailed: "probe_failed"
        case .moduleDown: "module_down"
        }
    }

    static func waveFields(_ record: DeploymentRecord, _ index: Int, nodes: Int) -> [String] {
        let wave = record.waves[index]
        return [
            "\"index\":\(index)", "\"state\":\(JSONText.quoted(snake("\(wave.state)")))",
            "\"nodes\":\(nodes)",
            "\"startedAtMilliseconds\":\(wave.startedAtMilliseconds.map { "\($0)" } ?? "null")",
            "\"gatingSinceMilliseconds\":\(wave.gatingSinceMilliseconds.map { "\($0)" } ?? "null")",
            "\"passedBy\":\(wave.passedBy.map(passage) ?? "null")", "\"failure\":\(optional(wave.failure))",
            "\"decisionCount\":\(wave.decisionCount)",
        ]
    }
}
