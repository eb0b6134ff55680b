import Access
import Cluster
import Fleet
import Transport

/// `/api/v1/approvals` (Docs/DEPLOYMENTS.md, "API and CLI"): the deployments awaiting an admin's
/// approval and the recently decided (`DeploymentListing.approvals`), and an admin's decision on
/// one, an audited `decideApproval` with this coordinator's time; rejecting needs a reason.
enum ApprovalRoutes {
    static func register(in routes: inout GuardedRoutes, service: RaftService) {
        routes.add("GET", "/api/v1/approvals") { request, responder, _ in
            service.answerRead(request, responder: responder) { view in
                let strategies = Dictionary(view.environments.map { ($0.name, $0.defaultStrategy) }) { first, _ in first }
                return .json(200, DeploymentJSON.approvals(DeploymentListing.approvals(of: view.deployments.values),
                                                           defaultStrategies: strategies, policies: view.rolloutPolicies))
            }
        }
        routes.add("POST", "/api/v1/approvals/{id}/approve") { decide(approve: true, $0, $1, $2, service: service) }
        routes.add("POST", "/api/v1/approvals/{id}/reject") { decide(approve: false, $0, $1, $2, service: service) }
    }

    private static func decide(approve: Bool, _ request: HTTPRequest, _ responder: HTTPResponder, _ caller: VerifiedCaller,
                               service: RaftService) {
        let body: DeploymentReasonBody
        switch DeploymentRoutes.reasonBody(request.body) {
        case let .success(parsed): body = parsed
        case let .failure(refusal): return responder.send(refusal)
        }
        if !approve, body.reason.allSatisfy(\.isWhitespace) {
            return responder.send(.error(400, "invalid_body", "reason is required to reject, and not only spaces: {\"reason\": \"...\"}"))
        }
        let id = request.parameters["id"] ?? ""
        guard DeploymentRecord.isValidID(id) else { return responder.send(DeploymentRoutes.unknown(id)) }
        let command = FleetCommand.decideApproval(id: id, approve: approve, by: caller.name,
                                                  reason: body.reason, atMilliseconds: WallClock.nowMilliseconds())
        DeploymentRoutes.submit(command, caller: caller, request: request, responder: responder, service: service)
    }
}
