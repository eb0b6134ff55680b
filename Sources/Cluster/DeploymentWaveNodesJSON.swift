import Fleet
import Rollout
import Wire

/// `GET /api/v1/deployments/{id}/waves/{n}/nodes` (Docs/DEPLOYMENTS.md, "API and CLI"): a wave's
/// nodes as its latest gate decision judged them, each metric with its value, the baseline, the
/// highest value the regression rule allowed, the ceiling and what decided it. What a live view
/// draws. The nodes come in three tiers, each in plan order: failing (a metric regressed or over
/// its ceiling, a failing streak, a failed probe, the module missing from a sample), then not
/// stable, then stable; at most `limit` are shown, `more` counts the rest and `failing` and
/// `notStable` count the wave's nodes in those tiers, so a failing node past the limit is never
/// hidden without a count. The figures are the decision's evidence computed again
/// (`StabilizationGate.evidence`), never stored apart from it.
extension DeploymentJSON {
    public static func waveNodes(_ record: DeploymentRecord, _ index: Int, limit: Int) -> String {
        let wave = record.waves[index]
        let members = record.nodeIndices(ofWave: index)
        let evidence: GateEvidence? = wave.decisions.last.flatMap { latest in
            let previous = wave.decisions.count > 1 ? wave.decisions[wave.decisions.count - 2] : nil
            return wave.baseline.map {
                StabilizationGate.evidence(settings: record.gate, baseline: $0, previous: previous, decision: latest)
            }
        }
        let judged = evidence?.nodes ?? []
        let failing = judged.filter(isFailing).map(\.index)
        let notStable = judged.filter { !isFailing($0) && !$0.isStable }.map(\.index)
        let stable = judged.filter { !isFailing($0) && $0.isStable }.map(\.index)
        let order = judged.isEmpty ? Array(members.indices) : failing + notStable + stable
        let shown = order.prefix(max(0, limit)).filter { members.indices.contains($0) }
        let nodes = shown.map { position in
            waveNode(record.nodes[members[position]], judged.indices.contains(position) ? judged[position] : nil)
        }
        let decision = wave.decisions.last.map { latest in
            "{" + (decisionFields(latest) + [
                "\"consecutiveStable\":\(latest.consecutiveStable)",
                "\"consecutiveStableWanted\":\(max(record.gate.consecutiveStable, 1))",
                "\"consecutiveFailingWanted\":\(max(record.gate.consecutiveFailing, 1))",
                "\"pollsMaximum\":\(StabilizationGate.pollsMaximum(settings: record.gate))",
            ]).joined(separator: ",") + "}"
        }
        return "{" + [
            "\"index\":\(index)", "\"state\":\(JSONText.quoted(snake("\(wave.state)")))", "\"nodeCount\":\(members.count)",
            "\"decision\":\(decision ?? "null")", "\"failing\":\(failing.count)", "\"notStable\":\(notStable.count)",
            "\"nodes\":[\(nodes.joined(separator: ","))]", "\"more\":\(members.count - shown.count)",
        ].joined(separator: ",") + "}"
    }

    /// What can fail the wave: a metric regressed or over its ceiling, a failing streak left from
    /// earlier polls, a failed probe, or the module missing from a sample of the window.
    static func isFailing(_ node: GateNodeEvidence) -> Bool {
        node.isFailing || node.failingStreak > 0 || node.probeFailed || node.samplesWithoutModule > 0
    }

    /// One node: its state in the deployment and, once a decision judged it, its figures.
    static func waveNode(_ node: DeploymentNode, _ evidence: GateNodeEvidence?) -> String {
        var fields = ["\"id\":\(JSONText.quoted(node.id))", "\"state\":\(JSONText.quoted(snake("\(node.state)")))"]
        if let evidence {
            fields += [
                "\"judged\":true", "\"failing\":\(isFailing(evidence))", "\"stable\":\(evidence.isStable)",
                "\"hasData\":\(evidence.hasData)", "\"probeFailed\":\(evidence.probeFailed)",
                "\"samples\":\(evidence.samples)", "\"samplesWithoutModule\":\(evidence.samplesWithoutModule)",
                "\"failingStreak\":\(evidence.failingStreak)",
                "\"metrics\":[\(evidence.metrics.map(metricFigures).joined(separator: ","))]",
            ]
        } else {
            fields += ["\"judged\":false", "\"metrics\":[]"]
        }
        return "{" + fields.joined(separator: ",") + "}"
    }

    /// One metric's figures; `allowed` is baseline + the control's change + the band: a value above
    /// it regressed. A value at or above the ceiling is over it.
    static func metricFigures(_ metric: GateMetricEvidence) -> String {
        let allowed = metric.baseline.flatMap { baseline in
            metric.regressionBand.map { baseline + (metric.controlChange ?? 0) + $0 }
        }
        return "{" + [
            "\"metric\":\(JSONText.quoted(code(of: metric.metric)))", "\"value\":\(figure(metric.value))",
            "\"previous\":\(figure(metric.previous))", "\"baseline\":\(figure(metric.baseline))",
            "\"controlChange\":\(figure(metric.controlChange))", "\"allowed\":\(figure(allowed))",
            "\"ceiling\":\(figure(metric.ceiling))", "\"outcome\":\(JSONText.quoted(code(of: metric.outcome)))",
        ].joined(separator: ",") + "}"
    }

    /// The metric's name for programs.
    public static func code(of metric: GateMetric) -> String {
        switch metric {
        case .hostCPU: "hostCPU"
        case .hostMemory: "hostMemory"
        case .probeLatency: "probeLatency"
        case .moduleCPU: "moduleCPU"
        case .moduleMemory: "moduleMemory"
        }
    }

    /// The rule that decided a metric, for programs.
    public static func code(of outcome: GateMetricOutcome) -> String {
        switch outcome {
        case .settled: "settled"
        case .notSettled: "not_settled"
        case .regressed: "regressed"
        case .overCeiling: "over_ceiling"
        case .notJudged: "not_judged"
        case .noData: "no_data"
        }
    }

    /// A figure as a JSON number, or null when absent or not finite.
    static func figure(_ value: Double?) -> String {
        guard let value, value.isFinite else { return "null" }
        return RolloutPolicyJSON.number(value)
    }
}
