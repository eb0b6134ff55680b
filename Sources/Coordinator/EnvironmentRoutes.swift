import Cluster
import Fleet
import FoundationEssentials
import Locking
import Rollout
import Transport
import Wire

/// `/api/v1/environments`: reads are linearizable by default (one
/// environment comes with the acting leader's summary of its nodes, the query
/// forwarded when this node follows) or serializable on request (this
/// coordinator's applied state); writes go through Raft (forwarded to the
/// leader), each with its audit record (AUDIT.md). CLUSTER.md, "Reads", has the table.
enum EnvironmentRoutes {
    static func register(in routes: inout GuardedRoutes, service: RaftService, gateway: AgentGateway) {
        let list = Locked(EnvironmentListCache())
        routes.add("GET", "/api/v1/environments") { request, responder, _ in
            service.answerRead(request, responder: responder) { view in
                HTTPReply(status: 200, body: list.withLock { $0.body(for: view.environments) }, retryAfterSeconds: nil)
            }
        }
        routes.add("GET", "/api/v1/environments/{name}") { request, responder, _ in
            let name = request.parameters["name"] ?? ""
            switch ReadConsistency(of: request) {
            case nil:
                responder.send(ReadConsistency.invalid)
            case .linearizable:
                NodeRoutes.answer(.environment(name: name), gateway: gateway, responder: responder, consistency: .linearizable)
            case .serializable:
                // Never waits on another member: the acting leader adds its live node
                // summary, any other member answers its applied record alone.
                guard gateway.leadership.isActing(at: gateway.clock.now()) else {
                    return responder.send(localRecord(name, in: service.view), consistency: .serializable)
                }
                responder.send(HTTPReply(gateway.answer(.environment(name: name))), consistency: .serializable)
            }
        }
        routes.add("PUT", "/api/v1/environments/{name}") { request, responder, caller in
            let name = request.parameters["name"] ?? ""
            let record: EnvironmentRecord
            do {
                record = try JSONDecoder().decode(EnvironmentBody.self, from: Data(request.body)).record(named: name)
            } catch let refusal as EnvironmentBody.Refusal {
                return responder.sendError(status: 400, code: "invalid_body", message: refusal.description)
            } catch {
                return responder.sendError(status: 400, code: "invalid_json", message: Self.bodyShape)
            }
            // Refused here as the state machine would, so a name the log codec cannot hold never reaches Raft.
            guard EnvironmentRecord.isValidName(name) else {
                return responder.send(HTTPReply(.applied(.rejected(.invalidName(name)))))
            }
            service.submit(.write(FleetCodec.encode(.putEnvironment(record))), by: caller, of: request, answering: responder)
        }
        routes.add("DELETE", "/api/v1/environments/{name}") { request, responder, caller in
            let name = request.parameters["name"] ?? ""
            guard EnvironmentRecord.isValidName(name) else {
                return responder.send(HTTPReply(.refused(.environmentNotFound(name: name))))
            }
            service.submit(.write(FleetCodec.encode(.deleteUnusedEnvironment(name: name))), by: caller, of: request, answering: responder)
        }
    }

    /// What the refusal of a body that is not JSON, or not an object, shows.
    static let bodyShape = "body must be a JSON object: {\"defaultStrategy\": "
        + "\"\(RolloutStrategy.allCases.map(\.rawValue).joined(separator: "|"))\", \"requiresApproval\": true|false, "
        + "\"approvalTimeoutSeconds\": 60-2592000 (optional)}"

    /// The environment as this coordinator last applied it, without its nodes (which only the acting leader knows).
    private static func localRecord(_ name: String, in view: ClusterView) -> HTTPReply {
        guard let record = view.environments.first(where: { $0.name == name }) else {
            return HTTPReply(.refused(.environmentNotFound(name: name)))
        }
        return .json(200, EnvironmentJSON.record(record, nodes: "null"))
    }
}
