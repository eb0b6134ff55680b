import Cluster
import Fleet
import Transport
import Wire

/// `/api/v1/nodes`: node liveness and samples live in the acting leader's
/// agent gateway, so these reads are answered there — directly on the
/// leader, forwarded over the peer link from a follower. Removing and
/// revoking a node go through Raft, audited (forwarded to the leader, which stamps a
/// revocation's time and refuses to remove a connected node); the deny-list
/// is replicated state, read like environments (`answerRead`).
enum NodeRoutes {
    static func register(in routes: inout GuardedRoutes, service: RaftService, gateway: AgentGateway) {
        // Before `/nodes/{id}`, which would otherwise take it (GATEWAY.md notes the name it shadows).
        routes.add("GET", "/api/v1/nodes/revocations") { request, responder, _ in
            service.answerRead(request, responder: responder) { view in .json(200, RevocationJSON.list(view.revocations)) }
        }
        routes.add("DELETE", "/api/v1/nodes/revocations/{id}") { request, responder, caller in
            let name = request.parameters["id"] ?? ""
            guard NodeRevocation.isValidNode(name) else {
                return responder.send(HTTPReply(.applied(.rejected(.notRevoked(name)))))
            }
            service.submit(.write(FleetCodec.encode(.unrevokeNode(name: name))), by: caller, of: request, answering: responder)
        }
        routes.add("GET", "/api/v1/nodes") { _, responder, _ in
            answer(.nodes, gateway: gateway, responder: responder)
        }
        routes.add("GET", "/api/v1/nodes/{id}") { request, responder, _ in
            answer(.node(id: request.parameters["id"] ?? ""), gateway: gateway, responder: responder)
        }
        routes.add("DELETE", "/api/v1/nodes/{id}") { request, responder, caller in
            let id = request.parameters["id"] ?? ""
            // Refused here as the state machine would, so an id the request codec cannot hold never travels.
            guard NodeRevocation.isValidNode(id) else { return responder.send(HTTPReply(.applied(.rejected(.unknownNode(id))))) }
            service.submit(.removeNode(id: id), by: caller, of: request, answering: responder)
        }
        routes.add("POST", "/api/v1/nodes/{id}/revoke") { request, responder, caller in
            let name = request.parameters["id"] ?? ""
            guard NodeRevocation.isValidNode(name) else {
                return responder.send(HTTPReply(.applied(.rejected(.invalidNode(NodeRevocation.invalidNodeReason)))))
            }
            service.submit(.revokeNode(name: name), by: caller, of: request, answering: responder)
        }
        routes.add("GET", "/api/v1/nodes/{id}/metrics") { request, responder, _ in
            let sinceText = request.head.queryItems().last { $0.0 == "since" }?.1 ?? "0"
            guard let since = UInt64(sinceText) else {
                return responder.sendError(status: 400, code: "invalid_query",
                                           message: "since must be milliseconds since the Unix epoch")
            }
            answer(.metrics(id: request.parameters["id"] ?? "", sinceMilliseconds: since), gateway: gateway,
                   responder: responder)
        }
    }

    /// Answers on this coordinator when it acts as leader, else forwards. A
    /// query that reads replicated state waits for a linearizable read point
    /// on the leader first (`RaftService.answerGatewayQuery`).
    static func answer(_ query: GatewayQuery, gateway: AgentGateway, responder: HTTPResponder,
                       consistency: ReadConsistency? = nil) {
        let bound = LoopBound(responder, loop: responder.loop)
        let reply: @Sendable (ClusterOutcome) -> Void = { outcome in
            bound.withValueOnLoop { $0.send(HTTPReply(outcome), consistency: consistency) }
        }
        if gateway.leadership.isActing(at: gateway.clock.now()) {
            gateway.raft.answerGatewayQuery(query, completion: reply)
        } else {
            gateway.raft.submit(.gatewayQuery(query), completion: reply)
        }
    }
}
