import Rollout

/// The live view's table of one wave's nodes (`hotswap deploy --watch` on a terminal): a line on
/// the wave's latest gate decision, then a row per node (at most `maximumNodes`, whatever the
/// server sent) with each metric's value against the threshold that binds it (the lower of the
/// regression rule's allowed value and the ceiling) and the rule that decided it, and how many
/// nodes were not shown, the failing and not stable among them counted. Only the metrics some
/// shown node has a figure for get a column. Pure: the text of one answer.
public enum WaveNodesTable {
    /// The metrics in the order the gate judges them, with their column headers.
    static let columns: [(metric: String, header: String)] = [
        ("hostCPU", "HOST CPU %"), ("hostMemory", "HOST MEM %"), ("probeLatency", "LATENCY ms"),
        ("moduleCPU", "MODULE CPU %"), ("moduleMemory", "MODULE MiB"),
    ]

    public static func lines(_ document: WaveNodesDocument, maximumNodes: Int) -> [String] {
        let nodes = Array(document.nodes.prefix(max(0, maximumNodes)))
        var lines = [headline(document)]
        if !nodes.isEmpty { lines += table(nodes, decision: document.decision) }
        let notShown = document.nodeCount - nodes.count
        if notShown > 0 {
            let failing = max(0, document.failing - nodes.count { $0.failing == true })
            let notStable = max(0, document.notStable - nodes.count { $0.failing != true && $0.stable == false })
            lines.append("… and \(notShown) more node\(notShown == 1 ? "" : "s") not shown: \(failing) failing, \(notStable) not stable")
        }
        return lines
    }

    static func table(_ nodes: [WaveNodesDocument.Node], decision: WaveNodesDocument.Decision?) -> [String] {
        let shown = columns.filter { column in
            nodes.contains { node in
                node.metrics.contains { $0.metric == column.metric && ($0.value != nil || $0.baseline != nil) }
            }
        }
        let header = ["NODE", "STATE"] + shown.map(\.header) + ["NOTE"]
        let rows = nodes.map { node in
            [node.id, node.state] + shown.map { column in cell(node.metrics.first { $0.metric == column.metric }, node: node) }
                + [note(node, decision: decision)]
        }
        let widths = header.indices.map { column in
            min(40, ([header] + rows).map { TerminalText.printable($0[column]).count }.max() ?? 0) + 2
        }
        return [TextTable.row(header, widths: widths)] + rows.map { TextTable.row($0, widths: widths) }
    }

    static func headline(_ document: WaveNodesDocument) -> String {
        let nodes = "wave \(document.index) (\(document.state)), \(document.nodeCount) node\(document.nodeCount == 1 ? "" : "s")"
        guard let decision = document.decision else { return nodes + ": no gate decision yet" }
        return nodes + ": poll \(decision.index) of \(decision.pollsMaximum), \(decision.verdict) (\(decision.reason)), "
            + "stable polls in a row \(decision.consecutiveStable) of \(decision.consecutiveStableWanted)"
    }

    /// "value / threshold word", or what stands for it.
    static func cell(_ metric: WaveNodesDocument.Metric?, node: WaveNodesDocument.Node) -> String {
        guard node.judged else { return "-" }
        guard node.hasData ?? false else { return "no data" }
        guard let metric, let value = metric.value else { return "no value" }
        let threshold = [metric.allowed, metric.ceiling].compactMap { $0 }.min()
        return GateText.number(value) + (threshold.map { " / " + GateText.number($0) } ?? "") + " " + word(metric.outcome)
    }

    static func word(_ outcome: String) -> String {
        switch outcome {
        case "settled": "ok"
        case "not_settled": "settling"
        case "regressed": "REGRESSED"
        case "over_ceiling": "OVER CEILING"
        case "not_judged": "not judged"
        case "no_data": "no data"
        default: outcome
        }
    }

    /// What holds a node back beyond its metrics, or "stable".
    static func note(_ node: WaveNodesDocument.Node, decision: WaveNodesDocument.Decision?) -> String {
        guard node.judged else { return "" }
        var notes: [String] = []
        if node.probeFailed ?? false { notes.append("health probe failed") }
        if let missing = node.samplesWithoutModule, missing > 0 {
            let samples = node.samples ?? 0
            notes.append(missing >= samples ? "module not running" : "module missing from \(missing) of \(samples) samples")
        }
        if let streak = node.failingStreak, streak > 0 {
            notes.append("failing polls in a row \(streak)" + (decision.map { " of \($0.consecutiveFailingWanted)" } ?? ""))
        }
        if notes.isEmpty, node.stable == true { notes.append("stable") }
        return notes.joined(separator: "; ")
    }
}
