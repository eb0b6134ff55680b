import Fleet
import Rollout
import Wire

/// Deployments as API JSON (Docs/DEPLOYMENTS.md, "API and CLI"): the summary a listing and a
/// control's answer show, and the record `GET /api/v1/deployments/{id}` shows, with its waves
/// (`DeploymentWaveJSON.swift`) and a page of its nodes, so that no answer grows with the fleet.
public enum DeploymentJSON {
    /// The summary: what it deploys where, its state and why, its approval, and its progress.
    public static func summary(_ record: DeploymentRecord) -> String {
        summary(DeploymentHeadline(record))
    }

    /// The summary of a headline: the same fields.
    public static func summary(_ headline: DeploymentHeadline) -> String {
        "{" + summaryFields(headline).joined(separator: ",") + "}"
    }

    /// The record, bounded whatever the fleet's size: the summary's fields, the settings it runs
    /// with, its waves (each with its latest decision's verdict, no evidence), and one page of its
    /// nodes (`nodesNext`: the cursor of the next, or null).
    public static func record(_ record: DeploymentRecord, nodes page: DeploymentNodePage = DeploymentNodePage()) -> String {
        let settings = "{\"strategyParameters\":\(RolloutPolicyJSON.parameters(record.parameters)),"
            + "\"gate\":\(RolloutPolicyJSON.gate(record.gate)),\"installConcurrency\":\(record.installConcurrency)}"
        let perWave = nodesPerWave(record)
        let waves = record.waves.indices.map { waveSummary(record, $0, nodes: perWave[$0]) }.joined(separator: ",")
        let shown = page.page(of: record)
        let nodes = shown.nodes.map(node).joined(separator: ",")
        return "{" + (summaryFields(DeploymentHeadline(record)) + ["\"settings\":\(settings)", "\"waves\":[\(waves)]",
                                                                  "\"nodes\":[\(nodes)]", "\"nodesNext\":\(optional(shown.next))"])
            .joined(separator: ",") + "}"
    }

    /// `{"deployments": [summaries], "next": CURSOR or null}`.
    public static func list(_ records: [DeploymentRecord], next: String?) -> String {
        "{\"deployments\":[" + records.map(summary).joined(separator: ",") + "],\"next\":\(optional(next))}"
    }

    /// `{"approvals": [summaries]}`: the deployments awaiting approval, then the recently decided,
    /// each with `overrides`, what it runs with that differs from its environment's default strategy
    /// (`defaultStrategies`) and policy (`policies`; absent: the defaults).
    public static func approvals(_ records: [DeploymentRecord], defaultStrategies: [String: RolloutStrategy],
                                 policies: [String: EnvironmentRolloutPolicy]) -> String {
        "{\"approvals\":[" + records.map { record in
            let overrides = DeploymentOverrides.json(record, defaultStrategy: defaultStrategies[record.environment],
                                                     over: policies[record.environment])
            return "{" + (summaryFields(DeploymentHeadline(record)) + ["\"overrides\":\(overrides)"]).joined(separator: ",") + "}"
        }.joined(separator: ",") + "]}"
    }

    static func summaryFields(_ record: DeploymentHeadline) -> [String] {
        [
            "\"id\":\(JSONText.quoted(record.id))", "\"module\":\(JSONText.quoted(record.module))",
            "\"version\":\(JSONText.quoted(record.version))", "\"environment\":\(JSONText.quoted(record.environment))",
            "\"strategy\":\(JSONText.quoted(record.strategy.rawValue))", "\"state\":\(JSONText.quoted(record.state.description))",
            "\"reason\":\(JSONText.quoted(record.stateReason))", "\"createdBy\":\(JSONText.quoted(record.createdBy))",
            "\"createdAtMilliseconds\":\(record.createdAtMilliseconds)",
            "\"finishedAtMilliseconds\":\(record.finishedAtMilliseconds.map { "\($0)" } ?? "null")",
            "\"approval\":\(record.approval.map(approval) ?? "null")",
            "\"waveCount\":\(record.waveCount)", "\"wavesPassed\":\(record.wavesPassed)",
            "\"activeWave\":\(record.activeWave.map { "\($0)" } ?? "null")", "\"nodeCount\":\(record.nodeCount)",
        ]
    }

    static func approval(_ approval: ApprovalRecord) -> String {
        "{\"decision\":\(JSONText.quoted(name(of: approval.decision))),\"expiresAtMilliseconds\":\(approval.expiresAtMilliseconds),"
            + "\"decidedBy\":\(optional(approval.decidedBy)),\"reason\":\(JSONText.quoted(approval.reason)),"
            + "\"decidedAtMilliseconds\":\(approval.decidedAtMilliseconds.map { "\($0)" } ?? "null")}"
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
