import Gateway
import HostInstall
import Wire

/// The JSON of module orders on a node (Docs/MODULES.md, "Orders from the leader"): an order's
/// end as `POST /api/v1/nodes/{id}/modules/{module}` answers it, one still open, and a node's
/// listing (`GET /api/v1/nodes/{id}/modules`).
enum NodeModuleJSON {
    /// The fields every order shows: node, module, operation (its text and deployment id), kind and version, strategy.
    static func fields(of request: ModuleOrderBook.Request) -> String {
        let (kind, version): (String, String) = switch request.operation.kind {
        case let .install(version): ("install", version)
        case let .switchBack(from): ("switchBack", from)
        }
        return "\"node\":\(JSONText.quoted(request.node)),\"module\":\(JSONText.quoted(request.module)),"
            + "\"operation\":\(JSONText.quoted(request.operation.description)),"
            + "\"deployment\":\(JSONText.quoted(request.operation.deploymentID)),\"kind\":\"\(kind)\","
            + "\"version\":\(JSONText.quoted(version)),\"strategy\":\"\(strategyName(request.strategy))\""
    }

    static func strategyName(_ strategy: InstallStrategy) -> String {
        switch strategy {
        case .inPlace: "inPlace"
        case .blueGreen: "blueGreen"
        }
    }

    /// An order that ended: its outcome (the host's, or `abandoned`/`forgotten`), the active
    /// version and port the host reported, the reason, how many times it was sent, and, when
    /// known (the POST's answer), whether the fleet's record of the node holds the answer.
    static func finished(_ finished: ModuleOrderBook.Finished, recorded: Bool? = nil) -> String {
        let outcome: String, result: InstallResult?, reason: String?
        switch finished.ending {
        case let .answered(answer): (outcome, result, reason) = ("\(answer.outcome)", answer, answer.reason)
        case let .abandoned(why, last): (outcome, result, reason) = ("abandoned", last, why)
        case .forgotten:
            (outcome, result, reason) = ("forgotten", nil, "this coordinator stopped leading before the node answered; the node "
                                         + "may still carry the order out: its module versions will show what came of it")
        }
        return "{" + fields(of: finished.request) + ",\"outcome\":\"\(outcome)\","
            + "\"activeVersion\":\(result?.active.map { JSONText.quoted($0.version) } ?? "null"),"
            + "\"port\":\(result?.active?.port.map { "\($0)" } ?? "null"),"
            + "\"reason\":\(reason.map(JSONText.quoted) ?? "null"),\"attempts\":\(finished.attempts)"
            + (recorded.map { ",\"recorded\":\($0)" } ?? "") + "}"
    }

    /// An order still open.
    static func pending(_ request: ModuleOrderBook.Request, attempts: Int) -> String {
        "{" + fields(of: request) + ",\"outcome\":\"pending\",\"activeVersion\":null,\"port\":null,\"reason\":null,"
            + "\"attempts\":\(attempts)}"
    }

    /// A node's module versions as the fleet records them, its open orders and the last end of each module's order.
    static func listing(node: String, versions: [String: String], open: [(request: ModuleOrderBook.Request, attempts: Int)],
                        results: [ModuleOrderBook.Finished]) -> String {
        let recorded = versions.keys.sorted().map { "\(JSONText.quoted($0)):\(JSONText.quoted(versions[$0] ?? ""))" }
        return "{\"node\":\(JSONText.quoted(node)),\"moduleVersions\":{\(recorded.joined(separator: ","))},"
            + "\"pending\":[\(open.map { pending($0.request, attempts: $0.attempts) }.joined(separator: ","))],"
            + "\"results\":[\(results.map { finished($0) }.joined(separator: ","))]}"
    }
}
