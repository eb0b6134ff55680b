import Access
import Cluster
import Fleet
import Gateway
import HostInstall
import Modules
import Primitives
import Transport
import Wire

/// `/api/v1/nodes/{id}/modules` (Docs/MODULES.md, "Orders from the leader"): a deployer orders
/// one node to install a recorded version of a module or to switch back from one, through the
/// acting leader's `ModuleOrders`, and waits a bounded time for the host's answer (200 with it,
/// else 202 with the operation); the leader lists each node's open orders and last results.
/// Only the acting leader, which holds the agents' sessions, takes these (503 `not_leader`
/// elsewhere, naming the leader, as uploads do).
enum NodeModuleRoutes {
    static let waitDefaultSeconds = 60
    static let waitMaximumSeconds = 300
    static let bodyShape = #"{"version": "2.0.0", "strategy": "inPlace" | "blueGreen"} or {"switchBackFrom": "2.0.0"}"#

    static func register(in routes: inout GuardedRoutes, orders: ModuleOrders) {
        routes.add("GET", "/api/v1/nodes/{id}/modules") { request, responder, _ in
            let node = request.parameters["id"] ?? ""
            let gateway = orders.gateway, view = gateway.raft.view
            guard gateway.leadership.isActing(at: gateway.clock.now()) else {
                return responder.send(ModuleRoutes.notLeader(view, what: "module orders"))
            }
            guard view.nodes[node] != nil || gateway.hasSession(node) else {
                return responder.send(.error(404, "not_found", "node '\(node)' is not in the fleet"))
            }
            let (open, results) = orders.report(of: node)
            responder.send(.json(200, NodeModuleJSON.listing(node: node, versions: view.nodes[node]?.moduleVersions ?? [:],
                                                              open: open, results: results)))
        }
        routes.add("POST", "/api/v1/nodes/{id}/modules/{module}") { request, responder, caller in
            let node = request.parameters["id"] ?? "", module = request.parameters["module"] ?? ""
            let asked: (OperationID.Kind, InstallStrategy, Int)
            switch parse(request) {
            case let .success(parsed): asked = parsed
            case let .failure(reply): return responder.send(reply)
            }
            let (kind, strategy, wait) = asked
            if case .install = kind, let refusal = approvalRefusal(node: node, role: caller.role, gateway: orders.gateway) {
                return responder.send(.error(403, "approval_required", refusal))
            }
            let operation = orders.manualOperation(kind)
            switch orders.order(node: node, module: module, operation: operation, strategy: strategy,
                                audit: AuditContext(caller, request)) {
            case let .failure(refusal): responder.send(reply(refusal, view: orders.gateway.raft.view))
            case let .success(handle): answer(handle, waitingSeconds: wait, orders: orders, responder: responder)
            }
        }
    }

    /// Why the caller may not install by hand on `node` (`EnvironmentRecord.manualInstallRefusal`).
    /// The node's environment is the one its newest record or session reports; an environment the
    /// fleet does not hold counts as needing approval. Nil for a node the gateway does not know: the
    /// order's own check answers 404.
    private static func approvalRefusal(node: String, role: UserRole, gateway: AgentGateway) -> String? {
        guard let name = gateway.newestRecord(of: node)?.environment else { return nil }
        let environment = gateway.raft.view.environments.first { $0.name == name }
            ?? EnvironmentRecord(name: name, defaultStrategy: .canary, requiresApproval: true)
        return environment.manualInstallRefusal(by: role)
    }

    /// The body and the `wait` query: what to do, how, and how long to wait for the answer.
    static func parse(_ request: HTTPRequest) -> Result<(OperationID.Kind, InstallStrategy, Int), HTTPReply> {
        let waitText = request.head.queryItems().last { $0.0 == "wait" }?.1
        var wait = waitDefaultSeconds
        if let waitText {
            guard let seconds = Int(waitText), (0...waitMaximumSeconds).contains(seconds) else {
                return .failure(.error(400, "invalid_query", "wait must be whole seconds from 0 to \(waitMaximumSeconds)"))
            }
            wait = seconds
        }
        do throws(AccessBody.Refusal) {
            let body = try AccessBody.parse(request.body, known: ["version", "strategy", "switchBackFrom"], shape: bodyShape)
            let version = try body.optionalString("version"), from = try body.optionalString("switchBackFrom")
            let strategyText = try body.optionalString("strategy") ?? "inPlace"
            guard let strategy = ["inPlace": InstallStrategy.inPlace, "blueGreen": .blueGreen][strategyText] else {
                throw AccessBody.Refusal(code: "invalid_body", message: "strategy '\(strategyText)' is not inPlace or blueGreen")
            }
            switch (version, from) {
            case let (version?, nil): return .success((.install(version: version), strategy, wait))
            case let (nil, from?): return .success((.switchBack(from: from), strategy, wait))
            default:
                throw AccessBody.Refusal(code: "invalid_body", message: "give exactly one of version and switchBackFrom: \(bodyShape)")
            }
        } catch {
            return .failure(error.reply)
        }
    }

    /// Answers 200 with the order's end once it comes within `waitingSeconds` (a definitive answer
    /// once its record's write was answered; `forgotten` when this coordinator stopped leading first,
    /// which a caller must not take as nothing done), else 202 with the order.
    private static func answer(_ handle: ModuleOrderHandle, waitingSeconds: Int, orders: ModuleOrders, responder: HTTPResponder) {
        let pending = { HTTPReply.json(202, NodeModuleJSON.pending(handle.request, attempts: orders.attempts(of: handle))) }
        guard waitingSeconds > 0 else { return responder.send(pending()) }
        let timer = responder.loop.scheduleTimer(after: .seconds(waitingSeconds)) {
            if !responder.hasResponded { responder.send(pending()) }
        }
        let bound = LoopBound(responder, loop: responder.loop)
        handle.whenFinished { end in
            bound.withValueOnLoop { responder in
                responder.loop.cancelTimer(timer)
                guard !responder.hasResponded else { return }
                responder.send(.json(200, NodeModuleJSON.finished(end.finished, recorded: end.recorded)))
            }
        }
    }

    static func reply(_ refusal: ModuleOrders.Refusal, view: ClusterView) -> HTTPReply {
        switch refusal {
        case .notLeader: ModuleRoutes.notLeader(view, what: "module orders")
        case let .unknownNode(node): .error(404, "not_found", "node '\(node)' is not in the fleet")
        case let .unknownModule(module): .error(404, "not_found", "module '\(module)' has no recorded version")
        case let .unknownVersion(module, version): .error(404, "not_found", "module '\(module)' has no recorded version '\(version)'")
        case let .untrusted(reason): .error(422, "untrusted_module", reason)
        case let .artifactNotReady(module, version):
            .error(503, "artifact_not_ready", "this leader does not hold the artifact of module '\(module)' version '\(version)' yet "
                   + "(it fetches every recorded artifact from the other members); retry shortly", retryAfterSeconds: 2)
        case let .notAttached(node):
            .error(409, "not_attached", "node '\(node)' has no agent session on this leader; retry once its agent is connected")
        case let .alreadyOpen(node, module):
            .error(409, "order_in_progress", "an order for module '\(module)' on node '\(node)' is still open; "
                   + "GET /api/v1/nodes/\(node)/modules shows it")
        case let .full(maximum): .error(503, "busy", "\(maximum) module orders are open, the most this leader holds", retryAfterSeconds: 5)
        case let .invalid(reason): .error(422, "invalid_order", reason)
        }
    }
}
