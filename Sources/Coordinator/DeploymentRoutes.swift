import Access
import Cluster
import Consensus
import Fleet
import FoundationEssentials
import Transport
import Wire

/// `/api/v1/deployments` (Docs/DEPLOYMENTS.md, "API and CLI"). `POST` checks its body, reads the
/// replicated state linearizably, makes the plan here (`DeploymentPlan`: the environment's nodes,
/// waves, previous versions, an id from libcrypto's random bytes, this coordinator's clock) and
/// submits it as an audited `createDeployment`, which a follower forwards to the leader; the state
/// machine checks it again where it applies, so a race between two plans is refused there. Reads
/// answer after the read's consistency check; the controls are audited `controlDeployment`s.
enum DeploymentRoutes {
    static func register(in routes: inout GuardedRoutes, service: RaftService) {
        routes.add("POST", "/api/v1/deployments") { request, responder, caller in
            create(request, responder, caller, service: service)
        }
        routes.add("GET", "/api/v1/deployments") { request, responder, _ in
            let listing: DeploymentListing
            switch DeploymentQuery.listing(request.head.queryItems()) {
            case let .success(parsed): listing = parsed
            case let .failure(refusal): return responder.send(refusal)
            }
            service.answerRead(request, responder: responder) { view in
                let page = listing.page(of: view.deployments.values)
                return .json(200, DeploymentJSON.list(page.records, next: page.next))
            }
        }
        routes.add("GET", "/api/v1/deployments/{id}") { request, responder, _ in
            let id = request.parameters["id"] ?? ""
            let page: DeploymentNodePage
            switch DeploymentQuery.nodes(request.head.queryItems()) {
            case let .success(parsed): page = parsed
            case let .failure(refusal): return responder.send(refusal)
            }
            service.answerRead(request, responder: responder) { view in
                guard let record = view.deployments[id] else { return unknown(id) }
                return .json(200, DeploymentJSON.record(record, nodes: page))
            }
        }
        routes.add("GET", "/api/v1/deployments/{id}/waves/{n}") { request, responder, _ in
            if let unknown = request.head.queryItems().first(where: { $0.0 != ReadConsistency.queryName }) {
                return responder.send(.error(400, "invalid_query", "unknown parameter '\(unknown.0)': use \(ReadConsistency.queryName)"))
            }
            answerWave(request, responder, service: service) { DeploymentJSON.wave($0, $1) }
        }
        routes.add("GET", "/api/v1/deployments/{id}/waves/{n}/nodes") { request, responder, _ in
            let limit: Int
            switch DeploymentQuery.waveNodesLimit(request.head.queryItems()) {
            case let .success(parsed): limit = parsed
            case let .failure(refusal): return responder.send(refusal)
            }
            answerWave(request, responder, service: service) { DeploymentJSON.waveNodes($0, $1, limit: limit) }
        }
        routes.add("POST", "/api/v1/deployments/{id}/pause") { control(.pause, $0, $1, $2, service: service) }
        routes.add("POST", "/api/v1/deployments/{id}/resume") { control(.resume, $0, $1, $2, service: service) }
        routes.add("POST", "/api/v1/deployments/{id}/abort") { control(.abort, $0, $1, $2, service: service) }
        routes.add("POST", "/api/v1/deployments/{id}/rollback") { control(.rollback, $0, $1, $2, service: service) }
        routes.add("POST", "/api/v1/deployments/{id}/promote") { control(.promote, $0, $1, $2, service: service) }
    }

    /// Answers with `render` of the deployment's wave `{n}` after the read's consistency check: 400
    /// for a wave that is not a decimal, 404 for an unknown deployment or wave.
    private static func answerWave(_ request: HTTPRequest, _ responder: HTTPResponder, service: RaftService,
                                   render: @escaping @Sendable (DeploymentRecord, Int) -> String) {
        let id = request.parameters["id"] ?? ""
        guard let number = DecimalText.decimal(request.parameters["n"] ?? "").map({ Int(clamping: $0) }) else {
            return responder.send(.error(400, "invalid_query", "the wave must be a decimal index, 0 for the first"))
        }
        service.answerRead(request, responder: responder) { view in
            guard let record = view.deployments[id] else { return unknown(id) }
            guard record.waves.indices.contains(number) else {
                return .error(404, "not_found", "deployment '\(id)' has \(record.waves.count) wave(s)"
                    + (record.waves.isEmpty ? "" : ", 0 to \(record.waves.count - 1)"))
            }
            return .json(200, render(record, number))
        }
    }

    /// A user's action on a deployment, with an optional reason.
    private static func control(_ action: DeploymentAction, _ request: HTTPRequest, _ responder: HTTPResponder, _ caller: VerifiedCaller,
                                service: RaftService) {
        let body: DeploymentReasonBody
        switch reasonBody(request.body) {
        case let .success(parsed): body = parsed
        case let .failure(refusal): return responder.send(refusal)
        }
        let id = request.parameters["id"] ?? ""
        guard DeploymentRecord.isValidID(id) else { return responder.send(unknown(id)) }
        let command = FleetCommand.controlDeployment(id: id, action: action, by: caller.name,
                                                     reason: body.reason, atMilliseconds: WallClock.nowMilliseconds())
        submit(command, caller: caller, request: request, responder: responder, service: service)
    }

    private static func create(_ request: HTTPRequest, _ responder: HTTPResponder, _ caller: VerifiedCaller, service: RaftService) {
        // Only the environment is read before the policy is known: the body's gate and parameters
        // are checked over the environment's policy, not over the defaults.
        guard let environment = environmentNamed(in: request.body) else {
            if case let .failure(refusal) = body(request.body, over: nil) { return responder.send(refusal) }
            return responder.send(.error(400, "invalid_body", DeploymentBody.shape))
        }
        let random: [UInt8]
        do { random = try SecureRandom.bytes(DeploymentPlan.idRandomBytes) } catch {
            return responder.send(.error(500, "random_failed", "no random bytes for the deployment's id: \(error)"))
        }
        let bound = LoopBound(responder, loop: responder.loop)
        service.read { answer in
            bound.withValueOnLoop { responder in
                let view: ClusterView
                switch answer {
                case let .view(read): view = read
                case let .refused(refusal): return responder.send(HTTPReply(.refused(refusal)))
                }
                plan(request, responder, caller, view: view, environment: environment, id: DeploymentPlan.id(random: random),
                     service: service)
            }
        }
    }

    private static func plan(_ request: HTTPRequest, _ responder: HTTPResponder, _ caller: VerifiedCaller, view: ClusterView,
                             environment: String, id: String, service: RaftService) {
        let parsed: DeploymentBody
        switch body(request.body, over: view.rolloutPolicies[environment]) {
        case let .success(body): parsed = body
        case let .failure(refusal): return responder.send(refusal)
        }
        let inputs = DeploymentPlan.Inputs(environments: view.environments, nodes: view.nodes, modules: view.modules,
                                           deployments: view.deployments)
        switch DeploymentPlan.record(parsed, id: id, createdBy: caller.name, nowMilliseconds: WallClock.nowMilliseconds(),
                                     inputs: inputs, entryBytesMaximum: entryBytesMaximum) {
        case let .success(record):
            submit(.createDeployment(record), caller: caller, request: request, responder: responder, service: service,
                   location: "/api/v1/deployments/\(record.id)")
        case let .failure(refusal):
            responder.send(reply(refusal))
        }
    }

    /// Proposes `command` audited as `caller`'s and answers its outcome; a created deployment's
    /// answer names where it is shown (`Location`).
    static func submit(_ command: FleetCommand, caller: VerifiedCaller, request: HTTPRequest, responder: HTTPResponder,
                       service: RaftService, location: String? = nil) {
        let bound = LoopBound(responder, loop: responder.loop)
        service.submit(.audited(AuditContext(caller, request), .write(FleetCodec.encode(command)))) { outcome in
            bound.withValueOnLoop { responder in
                var reply = HTTPReply(outcome)
                if let location, reply.status == 202 { reply.headers.add(name: "Location", value: location) }
                responder.send(reply)
            }
        }
    }

    /// The answer for an id no deployment can have (not `[a-z0-9-]{1,40}`): the one an unknown id gets.
    static func unknown(_ id: String) -> HTTPReply {
        HTTPReply(.applied(.rejected(.unknownDeployment(id.truncated(toUTF8Bytes: DeploymentRecord.idBytesMaximum)))))
    }

    /// The smaller of the Raft entry limit and the peer frame a follower forwards the entry in.
    static let entryBytesMaximum = min(RaftConfiguration(id: .none).messageBytesMaximum, FrameCodec.frameSizeMaximumBytesDefault)

    static func body(_ bytes: [UInt8], over policy: EnvironmentRolloutPolicy?) -> Result<DeploymentBody, HTTPReply> {
        let decoder = JSONDecoder()
        decoder.userInfo[DeploymentBody.policyKey] = policy ?? .defaults
        do {
            return .success(try decoder.decode(DeploymentBody.self, from: Data(bytes)))
        } catch let refusal as DeploymentBody.Refusal {
            return .failure(.error(400, "invalid_body", refusal.description))
        } catch {
            return .failure(.error(400, "invalid_json", DeploymentBody.shape))
        }
    }

    /// The body's `environment` when it is a JSON object naming one as a string; nil otherwise (the
    /// full parse then says what is wrong).
    static func environmentNamed(in bytes: [UInt8]) -> String? {
        struct Named: Decodable { let environment: String? }
        do { return try JSONDecoder().decode(Named.self, from: Data(bytes)).environment } catch { return nil }
    }

    /// An empty body is no reason.
    static func reasonBody(_ bytes: [UInt8]) -> Result<DeploymentReasonBody, HTTPReply> {
        guard !bytes.isEmpty else { return .success(DeploymentReasonBody()) }
        do {
            return .success(try JSONDecoder().decode(DeploymentReasonBody.self, from: Data(bytes)))
        } catch let refusal as DeploymentReasonBody.Refusal {
            return .failure(.error(400, "invalid_body", refusal.description))
        } catch {
            return .failure(.error(400, "invalid_json", DeploymentReasonBody.shape))
        }
    }

    static func reply(_ refusal: DeploymentPlan.Refusal) -> HTTPReply {
        switch refusal {
        case let .unknownEnvironment(name): HTTPReply(.refused(.environmentNotFound(name: name)))
        case let .unknownModule(name, version): HTTPReply(.applied(.rejected(.unknownModule(name: name, version: version))))
        case let .inProgress(id): HTTPReply(.applied(.rejected(.deploymentInProgress(id: id))))
        case let .noNodes(environment):
            .error(422, "no_nodes", "environment '\(environment)' has no node: attach an agent whose node is in it first")
        case let .invalid(reason): HTTPReply(.applied(.rejected(.invalidDeployment(reason))))
        case let .tooLarge(bytes, maximumBytes, nodes, fitting):
            .error(413, "plan_too_large", "the plan of \(nodes) nodes would take about \(bytes) bytes, over the \(maximumBytes)-byte "
                + "limit of one replicated entry; about \(fitting) nodes fit: deploy to fewer nodes at once (split the environment)")
        }
    }
}
