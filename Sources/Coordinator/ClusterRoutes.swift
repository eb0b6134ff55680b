import Cluster
import FoundationEssentials
import Transport
import Wire

/// `/api/v1/cluster`: the cluster as this coordinator sees it, and the
/// operations that change who leads and who is a member. Operations go to
/// the leader (forwarded when this node follows); a membership change is audited (AUDIT.md), a
/// transfer writes no entry and so leaves no record.
enum ClusterRoutes {
    /// The body of `POST /cluster/transfer-leader`.
    struct TransferRequest: Decodable {
        var to: String
    }

    /// The body of `POST /cluster/members`.
    struct MemberRequest: Decodable {
        var name: String
        var peerAddress: String
    }

    static func register(in routes: inout GuardedRoutes, service: RaftService) {
        routes.add("GET", "/api/v1/cluster") { request, responder, _ in
            switch request.head.queryItems().last(where: { $0.0 == "view" })?.1 {
            case nil, "self": service.answerRead(request, responder: responder) { view in .json(200, view.json) }
            // Only the leader tracks every member's match index: a follower forwards, 503 with no leader.
            case "leader": service.submit(.gatewayQuery(.leaderView), answering: responder)
            case let other?:
                responder.sendError(status: 400, code: "invalid_query",
                                    message: "view must be self (the default) or leader, not '\(other)'")
            }
        }
        routes.add("POST", "/api/v1/cluster/transfer-leader") { request, responder, _ in
            let body: TransferRequest
            do {
                body = try JSONDecoder().decode(TransferRequest.self, from: Data(request.body))
            } catch {
                return responder.sendError(status: 400, code: "invalid_json", message: "body must be {\"to\": \"NAME\"}")
            }
            service.submit(.transferLeadership(to: body.to), answering: responder)
        }
        routes.add("POST", "/api/v1/cluster/members") { request, responder, caller in
            let body: MemberRequest
            do {
                body = try JSONDecoder().decode(MemberRequest.self, from: Data(request.body))
            } catch {
                return responder.sendError(status: 400, code: "invalid_json",
                                           message: "body must be {\"name\": \"NAME\", \"peerAddress\": \"HOST:PORT\"}")
            }
            service.submit(.addMember(name: body.name, peerAddress: body.peerAddress), by: caller, of: request, answering: responder)
        }
        routes.add("DELETE", "/api/v1/cluster/members/{name}") { request, responder, caller in
            service.submit(.removeMember(name: request.parameters["name"] ?? ""), by: caller, of: request, answering: responder)
        }
    }
}

extension RaftService {
    /// Submits `request` and sends its answer on the responder's own loop.
    func submit(_ request: ClusterRequest, answering responder: HTTPResponder) {
        let bound = LoopBound(responder, loop: responder.loop)
        submit(request) { outcome in bound.withValueOnLoop { $0.send(HTTPReply(outcome)) } }
    }
}
