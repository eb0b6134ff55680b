import Fleet
import FoundationEssentials
import Transport
import Wire

/// `/api/v1/environments`: the list comes from this coordinator's applied
/// state; one environment comes with the leader's summary of its nodes
/// (forwarded when this node follows; without a leader, the local record
/// and `"nodes": null`); writes go through Raft (forwarded to the leader).
enum EnvironmentRoutes {
    /// The body of `PUT /environments/{name}`.
    struct EnvironmentUpdate: Decodable {
        var defaultStrategy: RolloutStrategy
        var requiresApproval: Bool
        var approvalTimeoutSeconds: UInt32?
    }

    static func register(in routes: inout HTTPRoutes, service: RaftService, gateway: AgentGateway) {
        routes.add("GET", "/api/v1/environments") { request, responder in
            service.answerRead(request, responder: responder) { view in .json(200, FleetReplies.list(view.environments)) }
        }
        routes.add("GET", "/api/v1/environments/{name}") { request, responder in
            let name = request.parameters["name"] ?? ""
            switch ReadConsistency(of: request) {
            case nil:
                responder.send(ReadConsistency.invalid)
            case .linearizable:
                NodeRoutes.answer(.environment(name: name), gateway: gateway, responder: responder, consistency: .linearizable)
            case .serializable:
                let view = service.view
                guard view.isLeaderKnown else { return responder.send(localRecord(name, in: view), consistency: .serializable) }
                NodeRoutes.answer(.environment(name: name), gateway: gateway, responder: responder, consistency: .serializable)
            }
        }
        routes.add("PUT", "/api/v1/environments/{name}") { request, responder in
            let update: EnvironmentUpdate
            do {
                update = try JSONDecoder().decode(EnvironmentUpdate.self, from: Data(request.body))
            } catch {
                return responder.sendError(status: 400, code: "invalid_json",
                                           message: "body must be {\"defaultStrategy\": \"direct|rolling|blueGreen|canary\", \"requiresApproval\": true|false}")
            }
            let record = EnvironmentRecord(
                name: request.parameters["name"] ?? "", defaultStrategy: update.defaultStrategy,
                requiresApproval: update.requiresApproval,
                approvalTimeoutSeconds: update.approvalTimeoutSeconds ?? EnvironmentRecord.approvalTimeoutSecondsDefault)
            service.submit(.write(FleetCodec.encode(.putEnvironment(record))), answering: responder)
        }
        routes.add("DELETE", "/api/v1/environments/{name}") { request, responder in
            service.submit(.write(FleetCodec.encode(.deleteEnvironment(name: request.parameters["name"] ?? ""))),
                           answering: responder)
        }
    }

    /// The environment as this coordinator last applied it, without its nodes (no leader to ask).
    private static func localRecord(_ name: String, in view: ClusterView) -> APIReply {
        guard let record = view.environments.first(where: { $0.name == name }) else {
            return .error(404, "not_found", "environment '\(name)' does not exist")
        }
        return .json(200, FleetReplies.json(record, nodes: "null"))
    }
}
