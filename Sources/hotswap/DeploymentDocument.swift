/// `GET /api/v1/deployments/{id}`'s answer as the CLI reads it (Docs/DEPLOYMENTS.md, "API and CLI"):
/// its waves with their latest decisions and a page of its nodes; and the summary a listing, a
/// control and an approval show.
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
        /// Only in a wave's answer (`/waves/{n}`), not in a latest decision.
        let lines: [String]?
    }

    struct Wave: Decodable {
        let index: Int
        let state: String
        let nodes: Int
        let failure: String?
        let decisionCount: UInt32
        /// In the record's answer: the latest decision, without evidence.
        let latestDecision: Decision?
        /// In a wave's answer (`/waves/{n}`): every kept decision with its evidence.
        let decisions: [Decision]?
    }

    /// A field a deployment runs with that differs from its environment's policy.
    struct Override: Decodable {
        let field: String
        let deployment: JSONValueText
        let environment: JSONValueText

        var line: String { "\(field): \(deployment.text) (the environment's: \(environment.text))" }
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
    /// The wave installing or gating, if any.
    let activeWave: Int?
    let nodeCount: Int
    /// Only in the approvals answer: what differs from the environment's policy.
    let overrides: [Override]?
    /// Only in the whole record, not in a summary.
    let waves: [Wave]?
    /// One page of the nodes; `nodesNext` is the cursor of the next.
    let nodes: [Node]?
    let nodesNext: String?

    static let terminalStates: Set<String> = ["succeeded", "rolled_back", "aborted", "failed"]

    var isTerminal: Bool { Self.terminalStates.contains(state) }

    /// One line: id, what where, state, progress and why.
    var summaryLine: String {
        "\(id)  \(module) \(version) → \(environment) (\(strategy))  \(state)  waves \(wavesPassed)/\(waveCount), "
            + "\(nodeCount) node\(nodeCount == 1 ? "" : "s")" + (reason.isEmpty ? "" : "  \(reason)")
    }

    /// The record for people: the summary, each wave with its nodes (those in `nodes`) and its
    /// latest gate decision, and how many nodes were not shown.
    func detailLines(nodes: [Node]) -> [String] {
        var lines = [summaryLine, "created by \(createdBy)"]
        if let approval {
            lines.append("approval: \(approval.decision)" + (approval.decidedBy.map { " by \($0)" } ?? "")
                + (approval.reason.isEmpty ? "" : ": \(approval.reason)"))
        }
        for wave in waves ?? [] {
            lines.append(Self.waveLine(wave))
            for node in nodes where node.wave == wave.index {
                lines.append("  \(node.id): \(node.state) (from \(node.previousVersion ?? "none"))"
                    + (node.detail.isEmpty ? "" : "  \(node.detail)"))
            }
            if let last = wave.latestDecision { lines.append("  last gate decision: \(Self.decisionLine(last))") }
        }
        if nodes.count < nodeCount { lines.append("\(nodeCount - nodes.count) more node(s) not shown (\(nodes.count) of \(nodeCount))") }
        return lines
    }

    static func waveLine(_ wave: Wave) -> String {
        "wave \(wave.index): \(wave.state), \(wave.nodes) node\(wave.nodes == 1 ? "" : "s"), "
            + "\(wave.decisionCount) gate decision\(wave.decisionCount == 1 ? "" : "s")" + (wave.failure.map { "; \($0)" } ?? "")
    }

    static func decisionLine(_ decision: Decision) -> String {
        "poll \(decision.index) at \(decision.elapsedMs) ms: \(decision.verdict) (\(decision.reason))"
    }

    /// Every kept gate decision with its evidence lines, for each of `waves` as `/waves/{n}`
    /// answered it (`deployment explain`).
    func explanationLines(waves: [Wave]) -> [String] {
        var lines = [summaryLine]
        for wave in waves {
            let kept = wave.decisions ?? []
            let dropped = Int(wave.decisionCount) - kept.count
            lines.append("wave \(wave.index): \(wave.state), \(wave.decisionCount) gate decision\(wave.decisionCount == 1 ? "" : "s")"
                + (dropped > 0 ? " (the oldest \(dropped) not kept)" : ""))
            for decision in kept {
                lines.append("  decision \(decision.index) at \(decision.elapsedMs) ms: \(decision.verdict) (\(decision.reason))")
                lines += (decision.lines ?? []).map { "    " + $0 }
            }
        }
        return lines
    }

    /// What changed since `previous` (nil: the first look), one plain line each: the state, each
    /// wave's state, each wave's latest gate decision not seen before (a watch reads no nodes).
    func changeLines(since previous: DeploymentDocument?) -> [String] {
        var lines: [String] = []
        if previous?.state != state { lines.append("\(id): \(state)" + (reason.isEmpty ? "" : " (\(reason))")) }
        let oldWaves = Dictionary((previous?.waves ?? []).map { ($0.index, $0) }, uniquingKeysWith: { first, _ in first })
        for wave in waves ?? [] {
            let old = oldWaves[wave.index]
            if old?.state != wave.state, previous != nil || wave.state != "pending" {
                lines.append("wave \(wave.index): \(wave.state)" + (wave.failure.map { " (\($0))" } ?? ""))
            }
            if let latest = wave.latestDecision, old?.latestDecision.map({ latest.index > $0.index }) ?? true {
                lines.append("wave \(wave.index) gate: \(Self.decisionLine(latest))")
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
