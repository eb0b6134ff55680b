/// The evidence as plain text lines, as `deployment explain` prints it: a summary, then what
/// qualifies the judgement (a short baseline, no control group), then one line per node without
/// data or with a failed probe and one per node-metric that a rule failed or could not judge.
extension GateEvidence {
    public var lines: [String] {
        var lines = [summary]
        if baselineWindowShort {
            lines.append("baseline: samples over \(GateText.duration(milliseconds: baselineWindowMilliseconds)) only, "
                + "less than the minimum wait of \(GateText.duration(milliseconds: UInt64(minimumWaitMilliseconds)))")
        }
        if !hasControlGroup { lines.append("no control group: judged against the baseline alone") }
        var detailed = false
        for node in nodes {
            if node.probeFailed { lines.append("node \(node.index): health probe failed") }
            if !node.hasData { lines.append("node \(node.index): no data") }
            for metric in node.metrics where Self.matters(metric) {
                lines.append(line(node: node, metric: metric))
            }
            detailed = detailed || node.probeFailed || !node.hasData || node.metrics.contains(where: Self.matters)
        }
        if !detailed && !nodes.isEmpty {
            lines.append("every node: every metric settled, not regressed, under its ceiling")
        }
        return lines
    }

    private var summary: String {
        var parts = [
            "poll \(pollIndex) of \(pollsMaximum), \(GateText.duration(milliseconds: elapsedMilliseconds)) after the installs: "
                + "\(verdict) (\(reason))",
            "stable polls in a row \(consecutiveStable) of \(consecutiveStableWanted)",
            "nodes without data \(nodesWithoutData) of \(nodes.count) (allowed \(noDataAllowance))",
        ]
        if consecutiveNoData > 0 {
            parts.append("polls in a row with too many without data \(consecutiveNoData) of \(consecutiveFailingWanted)")
        }
        if nodes.isEmpty { parts.append("the wave has no nodes") }
        return parts.joined(separator: "; ")
    }

    /// A rule failed, or the value exists but has no baseline to be judged against.
    private static func matters(_ metric: GateMetricEvidence) -> Bool {
        switch metric.outcome {
        case .notSettled, .regressed, .overCeiling: true
        case .settled: metric.regression == .notJudged
        case .notJudged, .noData: false
        }
    }

    private func line(node: GateNodeEvidence, metric: GateMetricEvidence) -> String {
        var parts = ["node \(node.index) \(metric.metric): \(metric.value.map(GateText.number) ?? "none")"]
        if let previous = metric.previous, let value = metric.value, let band = metric.settleBand {
            parts.append("was \(GateText.number(previous)), change \(GateText.signed(value - previous)) "
                + "\(metric.settled == .passed ? "within" : "beyond") \(GateText.number(band)): \(Self.settledText(metric))")
        } else {
            parts.append("no previous value: not settled")
        }
        if let baseline = metric.baseline, let rise = metric.netRise, let band = metric.regressionBand {
            let control = metric.controlChange.map { "control \(GateText.signed($0))" } ?? "no control"
            let judged = metric.regression == .passed ? "within \(GateText.number(band)): not regressed"
                : "beyond \(GateText.number(band)): regressed"
            parts.append("baseline \(GateText.number(baseline)), \(control), net \(GateText.signed(rise)) \(judged)")
        } else {
            parts.append("no baseline: rise not judged")
        }
        if let ceiling = metric.ceiling {
            parts.append("\(metric.underCeiling == .failed ? "over" : "under") the ceiling of \(GateText.number(ceiling))")
        }
        if node.failingStreak > 0 {
            parts.append("failing polls in a row \(node.failingStreak) of \(consecutiveFailingWanted)")
        }
        return parts.joined(separator: "; ")
    }

    private static func settledText(_ metric: GateMetricEvidence) -> String {
        metric.settled == .passed ? "settled" : "not settled"
    }
}
