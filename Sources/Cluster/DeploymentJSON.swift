import Fleet
import Rollout
import Wire

/// Deployments as API JSON (Docs/DEPLOYMENTS.md, "API and CLI"): the summary a listing and a
/// control's answer show, and the whole record `GET /api/v1/deployments/{id}` shows, with every
/// kept gate decision rendered through its evidence (`GateEvidence.lines`), never from the poll.
public enum DeploymentJSON {
    /// The summary: what it deploys where, its state and why, its approval, and its progress.
    public static func summary(_ record: DeploymentRecord) -> String {
        "{" + summaryFields(record).joined(separator: ",") + "}"
    }

    /// The whole record: the summary's fields, the settings it runs with, its waves and nodes.
    public static func record(_ record: DeploymentRecord) -> String {
        let settings = "{\"strategyParameters\":\(RolloutPolicyJSON.parameters(record.parameters)),"
            + "\"gate\":\(RolloutPolicyJSON.gate(record.gate)),\"installConcurrency\":\(record.installConcurrency)}"
        let waves = record.waves.indices.map { wave(record, $0) }.joined(separator: ",")
        let nodes = record.nodes.map(node).joined(separator: ",")
        return "{" + (summaryFields(record) + ["\"settings\":\(settings)", "\"waves\":[\(waves)]", "\"nodes\":[\(nodes)]"])
            .joined(separator: ",") + "}"
    }

    /// `{"deployments": [summaries], "next": CURSOR or null}`.
    public static func list(_ records: [DeploymentRecord], next: String?) -> String {
        "{\"deployments\":[" + records.map(summary).joined(separator: ",") + "],\"next\":\(optional(next))}"
    }

    /// `{"approvals": [summaries]}`: the deployments awaiting approval, then the recently decided.
    public static func approvals(_ records: [DeploymentRecord]) -> String {
        "{\"approvals\":[" + records.map(summary).joined(separator: ",") + "]}"
    }

    static func summaryFields(_ record: DeploymentRecord) -> [String] {
        let passed = record.waves.count { $0.state == .passed }
        return [
            "\"id\":\(JSONText.quoted(record.id))", "\"module\":\(JSONText.quoted(record.module))",
            "\"version\":\(JSONText.quoted(record.version))", "\"environment\":\(JSONText.quoted(record.environment))",
            "\"strategy\":\(JSONText.quoted(record.strategy.rawValue))", "\"state\":\(JSONText.quoted(record.state.description))",
            "\"reason\":\(JSONText.quoted(record.stateReason))", "\"createdBy\":\(JSONText.quoted(record.createdBy))",
            "\"createdAtMilliseconds\":\(record.createdAtMilliseconds)",
            "\"finishedAtMilliseconds\":\(record.finishedAtMilliseconds.map { "\($0)" } ?? "null")",
            "\"approval\":\(record.approval.map(approval) ?? "null")",
            "\"waveCount\":\(record.waves.count)", "\"wavesPassed\":\(passed)",
            "\"activeWave\":\(record.activeWave.map { "\($0)" } ?? "null")", "\"nodeCount\":\(record.nodes.count)",
        ]
    }

    static func approval(_ approval: ApprovalRecord) -> String {
        "{\"decision\":\(JSONText.quoted(name(of: approval.decision))),\"expiresAtMilliseconds\":\(approval.expiresAtMilliseconds),"
            + "\"decidedBy\":\(optional(approval.decidedBy)),\"reason\":\(JSONText.quoted(approval.reason)),"
            + "\"decidedAtMilliseconds\":\(approval.decidedAtMilliseconds.map { "\($0)" } ?? "null")}"
    }

    /// What stands for the evidence of the oldest kept decision when the poll before it was dropped.
    public static let earlierPollsNotKept = "the poll before this one is not kept, so the comparison with it cannot be shown; "
        + "the verdict is as stored"

    static func wave(_ record: DeploymentRecord, _ index: Int) -> String {
        let wave = record.waves[index]
        var decisions: [String] = []
        for (position, decision) in wave.decisions.enumerated() {
            let previous = position > 0 ? wave.decisions[position - 1] : nil
            var lines = wave.baseline.map {
                StabilizationGate.evidence(settings: record.gate, baseline: $0, previous: previous, decision: decision).lines
            } ?? []
            // The poll before the oldest kept one was dropped: what it said of settling cannot be shown again.
            if previous == nil, decision.poll.index > 1 { lines = Array(lines.prefix(1)) + [Self.earlierPollsNotKept] }
            decisions.append("{\"index\":\(decision.poll.index),\"elapsedMs\":\(decision.poll.elapsedMilliseconds),"
                + "\"verdict\":\(JSONText.quoted("\(decision.verdict)")),\"reason\":\(JSONText.quoted("\(decision.reason)")),"
                + "\"lines\":[\(lines.map(JSONText.quoted).joined(separator: ","))]}")
        }
        let fields = [
            "\"index\":\(index)", "\"state\":\(JSONText.quoted(snake("\(wave.state)")))",
            "\"nodes\":\(record.nodes.count { Int($0.wave) == index })",
            "\"startedAtMilliseconds\":\(wave.startedAtMilliseconds.map { "\($0)" } ?? "null")",
            "\"gatingSinceMilliseconds\":\(wave.gatingSinceMilliseconds.map { "\($0)" } ?? "null")",
            "\"passedBy\":\(wave.passedBy.map(passage) ?? "null")", "\"failure\":\(optional(wave.failure))",
            "\"decisionCount\":\(wave.decisionCount)", "\"decisions\":[\(decisions.joined(separator: ","))]",
        ]
        return "{" + fields.joined(separator: ",") + "}"
    }

    static func passage(_ passage: WavePassage) -> String {
        switch passage {
        case .gate: "{\"kind\":\"gate\",\"by\":null}"
        case let .promoted(by): "{\"kind\":\"promoted\",\"by\":\(JSONText.quoted(by))}"
        case .dryRun: "{\"kind\":\"dry_run\",\"by\":null}"
        }
    }

    static func node(_ node: DeploymentNode) -> String {
        "{\"id\":\(JSONText.quoted(node.id)),\"wave\":\(node.wave),\"previousVersion\":\(optional(node.previousVersion)),"
            + "\"state\":\(JSONText.quoted(snake("\(node.state)"))),\"detail\":\(JSONText.quoted(node.detail))}"
    }

    public static func name(of decision: ApprovalDecision) -> String {
        snake("\(decision)")
    }

    /// `installFailed` → `install_failed`: the API's words for the stored enums.
    public static func snake(_ name: String) -> String {
        var text = ""
        for character in name {
            if character.isUppercase {
                text += "_" + character.lowercased()
            } else {
                text.append(character)
            }
        }
        return text
    }

    static func optional(_ text: String?) -> String {
        text.map(JSONText.quoted) ?? "null"
    }
}
