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
        routes.add("GET", "/api/v1/environments") { _, responder in
            responder.sendJSON(status: 200, FleetReplies.list(service.view.environments))
        }
        routes.add("GET", "/api/v1/environments/{name}") { request, responder in
            let name = request.parameters["name"] ?? ""
            let view = service.view
            guard view.isLeaderKnown else {
                guard let record = view.environments.first(where: { $0.name == name }) else {
                    return responder.sendError(status: 404, code: "not_found", message: "environment '\(name)' does not exist")
                }
                return responder.sendJSON(status: 200, FleetReplies.json(record, nodes: "null"))
            }
            NodeRoutes.answer(.environment(name: name), gateway: gateway, responder: responder)
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
}
