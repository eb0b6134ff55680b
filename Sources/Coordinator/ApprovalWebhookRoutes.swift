import Access
import Cluster
import Fleet
import FoundationEssentials
import Transport
import Wire

/// `/api/v1/environments/{name}/approval-webhook` (Docs/DEPLOYMENTS.md, "Approval webhook"): `GET`
/// shows the URL and the secret's fingerprint (never the secret), `PUT` sets URL and secret
/// together, `DELETE` removes the webhook; writes go through Raft, audited as
/// `environment.approval_webhook` (the audit record names the environment, not the secret).
enum ApprovalWebhookRoutes {
    static func register(in routes: inout GuardedRoutes, service: RaftService, allowsLoopback: Bool) {
        routes.add("GET", "/api/v1/environments/{name}/approval-webhook") { request, responder, _ in
            let name = request.parameters["name"] ?? ""
            service.answerRead(request, responder: responder) { view in
                guard view.environments.contains(where: { $0.name == name }) else {
                    return HTTPReply(.refused(.environmentNotFound(name: name)))
                }
                return .json(200, ApprovalWebhookJSON.document(environment: name, webhook: view.approvalWebhooks[name],
                                                               fingerprint: SecretFingerprint.of))
            }
        }
        routes.add("PUT", "/api/v1/environments/{name}/approval-webhook") { request, responder, caller in
            let name = request.parameters["name"] ?? ""
            guard EnvironmentRecord.isValidName(name) else {
                return responder.send(HTTPReply(.refused(.environmentNotFound(name: name))))
            }
            let webhook: ApprovalWebhook
            do {
                webhook = try JSONDecoder().decode(ApprovalWebhookBody.self, from: Data(request.body)).webhook
            } catch let refusal as ApprovalWebhookBody.Refusal {
                return responder.sendError(status: 400, code: "invalid_body", message: refusal.description)
            } catch {
                return responder.sendError(status: 400, code: "invalid_json", message: bodyShape)
            }
            if let refusal = webhook.refusal() ?? loopbackRefusal(webhook.url, allowsLoopback: allowsLoopback) {
                return responder.send(HTTPReply(.applied(.rejected(.invalidApprovalWebhook(refusal)))))
            }
            service.submit(.write(FleetCodec.encode(.setApprovalWebhook(environment: name, webhook: webhook))), by: caller,
                           of: request, answering: responder)
        }
        routes.add("DELETE", "/api/v1/environments/{name}/approval-webhook") { request, responder, caller in
            let name = request.parameters["name"] ?? ""
            guard EnvironmentRecord.isValidName(name) else {
                return responder.send(HTTPReply(.refused(.environmentNotFound(name: name))))
            }
            service.submit(.write(FleetCodec.encode(.setApprovalWebhook(environment: name, webhook: nil))), by: caller,
                           of: request, answering: responder)
        }
    }

    /// Why `url` may not be posted to from here, or nil: a loopback address only with
    /// `--approval-webhook-allow-loopback` (a DNS name is taken as it is written).
    static func loopbackRefusal(_ text: String, allowsLoopback: Bool) -> String? {
        guard case let .success(url) = WebhookURL.parse(text), url.isLoopback, !allowsLoopback else { return nil }
        return "url names a loopback address, which this coordinator refuses without --approval-webhook-allow-loopback"
    }

    static let bodyShape = "body must be a JSON object: {\"url\": \"https://HOST[:PORT]/PATH\", \"secret\": \"32 random bytes or more\"} "
        + "(Docs/DEPLOYMENTS.md, \"Approval webhook\")"
}
