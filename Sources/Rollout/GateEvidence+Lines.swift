/// The evidence as plain text lines: a summary, then what qualifies the judgement (a short
/// baseline, no control group), then one line per node without data, with a failed probe or with
/// the module missing from samples, and one per node-metric that a rule failed or could not judge
/// or that has a baseline but no value; when no such line is printed, one all-clear line naming
/// the metrics judged.
extension GateEvidence {
    public var lines: [String] { boundedLines(maximumNodeLines: .max).lines }

    /// The lines with at most `maximumNodeLines` node lines, the rest only counted (`more`), never
    /// formatted (`formatted`: how many were): the cost is one pass over the nodes' numbers plus
    /// the lines kept.
    public func boundedLines(maximumNodeLines: Int) -> (lines: [String], more: Int, formatted: Int) {
        var lines = [summary]
        if baselineWindowShort {
            lines.append("baseline: samples over \(GateText.duration(milliseconds: baselineWindowMilliseconds)) only, "
                + "less than the minimum wait of \(GateText.duration(milliseconds: UInt64(minimumWaitMilliseconds)))")
        }
        if !hasControlGroup {
            lines.append(controlNodes == 0 ? "no control group: judged against the baseline alone"
                : "no control: fewer than 2 of the \(controlNodes) control nodes had a value for any metric in both the baseline "
                    + "and this poll: judged against the baseline alone")
        }
        var formatted = 0
        var more = 0
        var detailed = false
        for node in nodes {
            let count = Self.nodeLineCount(node)
            guard count > 0 else { continue }
            detailed = true
            let room = max(0, maximumNodeLines - formatted)
            let kept = room > 0 ? nodeLines(node, limit: room) : []
            lines += kept
            formatted += kept.count
            more += count - kept.count
        }
        if !detailed && !nodes.isEmpty {
            let judged = GateMetric.allCases.filter { metric in nodes.contains { $0.metrics[metric.index].outcome == .settled } }
            lines.append(judged.isEmpty ? "every node: no metric had a value"
                : "every node: \(judged.map(\.description).joined(separator: ", ")) settled, not regressed, under any ceiling")
        }
        return (lines, more, formatted)
    }

    /// How many lines `nodeLines` would give for the node, without formatting them.
    private static func nodeLineCount(_ node: GateNodeEvidence) -> Int {
        (node.probeFailed ? 1 : 0) + (node.moduleAbsent || node.samplesWithoutModule > 0 ? 1 : 0) + (node.hasData ? 0 : 1)
            + node.metrics.count(where: matters)
    }

    /// The node's first `limit` lines, in order; none past the limit is formatted.
    private func nodeLines(_ node: GateNodeEvidence, limit: Int) -> [String] {
        var lines: [String] = []
        func add(_ line: @autoclosure () -> String) {
            if lines.count < limit { lines.append(line()) }
        }
        if node.probeFailed { add("node \(node.index): health probe failed") }
        if node.moduleAbsent {
            add("node \(node.index): module not running: in none of the window's \(node.samples) samples")
        } else if node.samplesWithoutModule > 0 {
            add("node \(node.index): module missing from \(node.samplesWithoutModule) of \(node.samples) samples: not stable")
        }
        if !node.hasData { add("node \(node.index): no data") }
        for metric in node.metrics where Self.matters(metric) {
            add(metric.value == nil ? noValueLine(node: node, metric: metric) : line(node: node, metric: metric))
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

    /// A rule failed, the value exists but has no baseline to be judged against, or the baseline
    /// exists but the node (with data) has no value.
    private static func matters(_ metric: GateMetricEvidence) -> Bool {
        switch metric.outcome {
        case .notSettled, .regressed, .overCeiling: true
        case .settled: metric.regression == .notJudged
        case .notJudged: metric.baseline != nil
        case .noData: false
        }
    }

    private func noValueLine(node: GateNodeEvidence, metric: GateMetricEvidence) -> String {
        var parts = ["node \(node.index) \(metric.metric): none; \(Self.baselineText(metric)): no value in this poll"]
        if node.failingStreak > 0 {
            parts.append("failing polls in a row \(node.failingStreak) of \(consecutiveFailingWanted)")
        }
        return parts.joined(separator: "; ")
    }

    private static func baselineText(_ metric: GateMetricEvidence) -> String {
        "\(metric.baselineFromWave ? "wave baseline" : "baseline") \(metric.baseline.map(GateText.number) ?? "none")"
    }

    private func line(node: GateNodeEvidence, metric: GateMetricEvidence) -> String {
        var parts = ["node \(node.index) \(metric.metric): \(metric.value.map(GateText.number) ?? "none")"]
        if let previous = metric.previous, let value = metric.value, let band = metric.settleBand {
            parts.append("was \(GateText.number(previous)), change \(GateText.signed(value - previous)) "
                + "\(metric.settled == .passed ? "within" : "beyond") \(GateText.number(band)): \(Self.settledText(metric))")
        } else {
            parts.append("no previous value: not settled")
        }
        if metric.baseline != nil, let rise = metric.netRise, let band = metric.regressionBand {
            let control = metric.controlChange.map { "control \(GateText.signed($0))" } ?? "no control"
            let judged = metric.regression == .passed ? "within \(GateText.number(band)): not regressed"
                : "beyond \(GateText.number(band)): regressed"
            parts.append("\(Self.baselineText(metric)), \(control), net \(GateText.signed(rise)) \(judged)")
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
