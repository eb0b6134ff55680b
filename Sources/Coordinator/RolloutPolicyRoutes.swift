import Cluster
import Fleet
import FoundationEssentials
import Transport
import Wire

/// `/api/v1/environments/{name}/rollout-policy` (Docs/DEPLOYMENTS.md, "Environment policy"): the
/// gate settings and strategy parameters an environment's deployments start from. Reads answer
/// this coordinator's view after the read's consistency check, the effective policy and whether it
/// is the default; `PUT` sets a whole policy (absent fields take the defaults) and `DELETE` goes
/// back to the defaults, each through Raft, audited as `environment.rollout_policy`.
enum RolloutPolicyRoutes {
    static func register(in routes: inout GuardedRoutes, service: RaftService) {
        routes.add("GET", "/api/v1/environments/{name}/rollout-policy") { request, responder, _ in
            let name = request.parameters["name"] ?? ""
            service.answerRead(request, responder: responder) { view in
                guard view.environments.contains(where: { $0.name == name }) else {
                    return HTTPReply(.refused(.environmentNotFound(name: name)))
                }
                return .json(200, RolloutPolicyJSON.document(environment: name, policy: view.rolloutPolicies[name]))
            }
        }
        routes.add("PUT", "/api/v1/environments/{name}/rollout-policy") { request, responder, caller in
            let name = request.parameters["name"] ?? ""
            guard EnvironmentRecord.isValidName(name) else {
                return responder.send(HTTPReply(.refused(.environmentNotFound(name: name))))
            }
            let policy: EnvironmentRolloutPolicy
            do {
                policy = try JSONDecoder().decode(RolloutPolicyBody.self, from: Data(request.body)).policy(named: name)
            } catch let refusal as RolloutPolicyBody.Refusal {
                return responder.sendError(status: 400, code: "invalid_body", message: refusal.description)
            } catch {
                return responder.sendError(status: 400, code: "invalid_json", message: bodyShape)
            }
            if let refusal = policy.refusal() {
                return responder.send(HTTPReply(.applied(.rejected(.invalidRolloutPolicy(refusal)))))
            }
            service.submit(.write(FleetCodec.encode(.setRolloutPolicy(environment: name, policy: policy))), by: caller, of: request,
                           answering: responder)
        }
        routes.add("DELETE", "/api/v1/environments/{name}/rollout-policy") { request, responder, caller in
            let name = request.parameters["name"] ?? ""
            guard EnvironmentRecord.isValidName(name) else {
                return responder.send(HTTPReply(.refused(.environmentNotFound(name: name))))
            }
            service.submit(.write(FleetCodec.encode(.setRolloutPolicy(environment: name, policy: nil))), by: caller, of: request,
                           answering: responder)
        }
    }

    /// What the refusal of a body that is not JSON, or not an object, shows.
    static let bodyShape = "body must be a JSON object: {\"strategyParameters\": {\"rollingBatchSize\": N|null, "
        + "\"canaryPercents\": [10, 30, 60, 100]}, \"gate\": {\"pollIntervalMilliseconds\": 30000, ...}}, every field optional "
        + "(Docs/DEPLOYMENTS.md, \"Environment policy\")"
}
