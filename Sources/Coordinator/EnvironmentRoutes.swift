import Fleet
import FoundationEssentials
import Transport
import Wire

/// `/api/v1/environments`: reads come from this coordinator's applied state;
/// writes go through Raft (forwarded to the leader when this node follows).
enum EnvironmentRoutes {
    /// The body of `PUT /environments/{name}`.
    struct EnvironmentUpdate: Decodable {
        var defaultStrategy: RolloutStrategy
        var requiresApproval: Bool
        var approvalTimeoutSeconds: UInt32?
    }

    static func register(in routes: inout HTTPRoutes, service: RaftService) {
        routes.add("GET", "/api/v1/environments") { _, responder in
            responder.sendJSON(status: 200, FleetReplies.list(service.view.environments))
        }
        routes.add("GET", "/api/v1/environments/{name}") { request, responder in
            let name = request.parameters["name"] ?? ""
            guard let record = service.view.environments.first(where: { $0.name == name }) else {
                return responder.sendError(status: 404, code: "not_found", message: "environment '\(name)' does not exist")
            }
            responder.sendJSON(status: 200, FleetReplies.json(record))
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
