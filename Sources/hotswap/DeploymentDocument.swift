/// `GET /api/v1/deployments/{id}`'s answer as the CLI reads it (Docs/DEPLOYMENTS.md, "API and CLI"),
/// and the summary a listing, a control and an approval show.
struct DeploymentDocument: Decodable {
    struct Approval: Decodable {
        let decision: String
        let decidedBy: String?
        let reason: String
    }

    struct Decision: Decodable {
        let index: UInt32
        let elapsedMs: UInt64
        let verdict: String
        let reason: String
        let lines: [String]
    }

    struct Wave: Decodable {
        let index: Int
        let state: String
        let nodes: Int
        let failure: String?
        let decisionCount: UInt32
        let decisions: [Decision]
    }

    struct Node: Decodable {
        let id: String
        let wave: Int
        let previousVersion: String?
        let state: String
        let detail: String
    }

    let id: String
    let module: String
    let version: String
    let environment: String
    let strategy: String
    let state: String
    let reason: String
    let createdBy: String
    let approval: Approval?
    let waveCount: Int
    let wavesPassed: Int
    let nodeCount: Int
    /// Only in the whole record, not in a summary.
    let waves: [Wave]?
    let nodes: [Node]?

    static let terminalStates: Set<String> = ["succeeded", "rolled_back", "aborted", "failed"]

    var isTerminal: Bool { Self.terminalStates.contains(state) }

    /// One line: id, what where, state, progress and why.
    var summaryLine: String {
        "\(id)  \(module) \(version) → \(environment) (\(strategy))  \(state)  waves \(wavesPassed)/\(waveCount), "
            + "\(nodeCount) node\(nodeCount == 1 ? "" : "s")" + (reason.isEmpty ? "" : "  \(reason)")
    }

    /// The record for people: the summary, each wave with its nodes, each kept decision's first line.
    var detailLines: [String] {
        var lines = [summaryLine, "created by \(createdBy)"]
        if let approval {
            lines.append("approval: \(approval.decision)" + (approval.decidedBy.map { " by \($0)" } ?? "")
                + (approval.reason.isEmpty ? "" : ": \(approval.reason)"))
        }
        for wave in waves ?? [] {
            lines.append("wave \(wave.index): \(wave.state), \(wave.nodes) node\(wave.nodes == 1 ? "" : "s"), "
                + "\(wave.decisionCount) gate decision\(wave.decisionCount == 1 ? "" : "s")" + (wave.failure.map { "; \($0)" } ?? ""))
            for node in (nodes ?? []) where node.wave == wave.index {
                lines.append("  \(node.id): \(node.state) (from \(node.previousVersion ?? "none"))"
                    + (node.detail.isEmpty ? "" : "  \(node.detail)"))
            }
            if let last = wave.decisions.last, let summary = last.lines.first { lines.append("  last gate decision: \(summary)") }
        }
        return lines
    }

    /// Every kept gate decision with all its evidence lines, wave by wave (`deployment explain`).
    var explanationLines: [String] {
        var lines = [summaryLine]
        for wave in waves ?? [] {
            let dropped = Int(wave.decisionCount) - wave.decisions.count
            lines.append("wave \(wave.index): \(wave.state), \(wave.decisionCount) gate decision\(wave.decisionCount == 1 ? "" : "s")"
                + (dropped > 0 ? " (the oldest \(dropped) not kept)" : ""))
            for decision in wave.decisions {
                lines.append("  decision \(decision.index) at \(decision.elapsedMs) ms: \(decision.verdict) (\(decision.reason))")
                lines += decision.lines.map { "    " + $0 }
            }
        }
        return lines
    }

    /// What changed since `previous` (nil: the first look), one plain line each: the state, each
    /// wave's state, each node's state, each gate decision not seen before.
    func changeLines(since previous: DeploymentDocument?) -> [String] {
        var lines: [String] = []
        if previous?.state != state { lines.append("\(id): \(state)" + (reason.isEmpty ? "" : " (\(reason))")) }
        let oldWaves = Dictionary((previous?.waves ?? []).map { ($0.index, $0) }, uniquingKeysWith: { first, _ in first })
        let oldNodes = Dictionary((previous?.nodes ?? []).map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        for wave in waves ?? [] {
            let old = oldWaves[wave.index]
            if old?.state != wave.state, previous != nil || wave.state != "pending" {
                lines.append("wave \(wave.index): \(wave.state)" + (wave.failure.map { " (\($0))" } ?? ""))
            }
            for node in (nodes ?? []) where node.wave == wave.index {
                if let before = oldNodes[node.id]?.state, before == node.state { continue }
                if previous == nil, node.state == "pending" { continue }
                lines.append("node \(node.id): \(node.state)" + (node.detail.isEmpty ? "" : " (\(node.detail))"))
            }
            let seen = old?.decisions.last?.index
            for decision in wave.decisions where seen.map({ decision.index > $0 }) ?? true {
                lines.append("wave \(wave.index) gate: " + (decision.lines.first ?? "\(decision.verdict) (\(decision.reason))"))
            }
        }
        return lines
    }
}

/// `GET /api/v1/deployments`'s answer.
struct DeploymentPage: Decodable {
    let deployments: [DeploymentDocument]
    let next: String?
}

/// `GET /api/v1/approvals`'s answer.
struct ApprovalPage: Decodable {
    let approvals: [DeploymentDocument]
}
