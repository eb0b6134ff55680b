import Cluster
import Fleet
import Gateway
import HostInstall
import Locking
import ModuleArchive
import Observability
import Primitives
import Telemetry
import Transport
import Wire

/// The acting leader's module orders to agents (Docs/MODULES.md, "Orders from the leader"): the
/// shell around `ModuleOrderBook`. `order` is the one entry point (the node-module route calls it;
/// deployments will too): it builds the order from the module's record (sha256, size,
/// signature) and the node's environment signing policy, refuses it when this coordinator does not
/// hold the artifact yet, sends it on the node's session as an `agentCommand`, and returns a handle
/// to wait on. Results arrive from the sessions (`receive`, only from the node's current one),
/// welcomes resend what is unanswered, and every view Raft publishes (`follow`, each tick) sends
/// due retries while the lease holds or, when leadership was lost or the term changed, forgets
/// every order. A definitive result is recorded in the node's `moduleVersions` through Raft,
/// audited in the name of who asked (`ModuleOrders+Recording`); the handle ends once that write is
/// answered. Safe from any thread: the book is behind one lock; a send is checked against it again
/// on the session's loop, just before the frame goes out.
final class ModuleOrders: Sendable {
    /// Why an order was not placed.
    enum Refusal: Error, Equatable {
        case notLeader
        case unknownNode(String)
        case unknownModule(String)
        case unknownVersion(module: String, version: String)
        /// The node's environment trusts signing keys and none of them signed the version.
        case untrusted(String)
        /// The node has no agent session on this leader.
        case notAttached(String)
        /// This coordinator does not hold the version's artifact yet (a new leader still fetching it).
        case artifactNotReady(module: String, version: String)
        case alreadyOpen(node: String, module: String)
        case full(maximum: Int)
        case invalid(String)
    }

    private struct State {
        var book: ModuleOrderBook
        var isLeading = false
        var handles: [UInt64: ModuleOrderHandle] = [:]
        /// Orders placed by the API in this term, for their operation ids.
        var manualOrders: UInt64 = 0
    }

    let gateway: AgentGateway
    let logger: Logger
    let counters: ModuleOrderCounters
    /// Whether this coordinator's store holds an artifact.
    private let holdsArtifact: @Sendable (ArtifactDigest) -> Bool
    private let state: Locked<State>

    init(gateway: AgentGateway, logger: Logger, metrics: MetricsRegistry, limits: ModuleOrderBook.Limits = ModuleOrderBook.Limits(),
         holdsArtifact: @escaping @Sendable (ArtifactDigest) -> Bool) {
        self.gateway = gateway
        self.logger = logger.with(component: "module-orders")
        self.holdsArtifact = holdsArtifact
        counters = ModuleOrderCounters(metrics: metrics)
        state = Locked(State(book: ModuleOrderBook(term: 0, limits: limits)))
        let state = self.state
        metrics.gaugeFunction("hotswap_module_orders_open", help: "Module orders this leader sent and has no definitive answer for.") {
            Double(state.withLock { $0.book.openCount })
        }
    }

    /// An operation id for an order the API places: deployment `manual.tTERM.N`, wave 0.
    func manualOperation(_ kind: OperationID.Kind) -> OperationID {
        state.withLock { state in
            state.manualOrders += 1
            return OperationID(deploymentID: "manual.t\(state.book.term).\(state.manualOrders)", wave: 0, kind: kind)
        }
    }

    /// Orders `node` to carry out `operation` on `module` with `strategy`; `audit` names who asked.
    func order(node: String, module: String, operation: OperationID, strategy: InstallStrategy,
               audit: AuditContext?) -> Result<ModuleOrderHandle, Refusal> {
        let now = gateway.clock.now()
        guard gateway.leadership.isActing(at: now) else { return .failure(.notLeader) }
        let view = gateway.raft.view
        let attached = gateway.hasSession(node)
        guard view.nodes[node] != nil || attached else { return .failure(.unknownNode(node)) }
        guard let versions = view.modules[module], !versions.isEmpty else { return .failure(.unknownModule(module)) }
        var artifact: OrderedArtifact?
        if case let .install(version) = operation.kind {
            guard let record = versions[version] else { return .failure(.unknownVersion(module: module, version: version)) }
            let environment = gateway.newestRecord(of: node)?.environment ?? ""
            let trusted = view.moduleSigningKeys[environment] ?? []
            if let refusal = ModuleSigningPolicy.refusal(of: record, environment: environment, trustedKeys: trusted) {
                return .failure(.untrusted(refusal))
            }
            guard attached else { return .failure(.notAttached(node)) }
            guard let digest = ArtifactDigest(bytes: record.sha256), holdsArtifact(digest) else {
                return .failure(.artifactNotReady(module: module, version: version))
            }
            artifact = OrderedArtifact(sha256: record.sha256, size: record.byteCount, signature: record.signature, trustedKeys: trusted)
        }
        guard attached else { return .failure(.notAttached(node)) }
        let request = ModuleOrderBook.Request(node: node, module: module, operation: operation, strategy: strategy, artifact: artifact)
        return place(request, audit: audit, now: now)
    }

    private func place(_ request: ModuleOrderBook.Request, audit: AuditContext?,
                       now: MonotonicInstant) -> Result<ModuleOrderHandle, Refusal> {
        let (node, module) = (request.node, request.module)
        let placed = state.withLock { state -> Result<(ModuleOrderHandle, [ModuleOrderBook.Action]), Refusal> in
            guard state.isLeading else { return .failure(.notLeader) }
            switch state.book.place(request, now: now) {
            case let .success((id, actions)):
                let handle = ModuleOrderHandle(id: id, request: request, audit: audit)
                state.handles[id] = handle
                return .success((handle, actions))
            case .failure(.alreadyOpen): return .failure(.alreadyOpen(node: node, module: module))
            case let .failure(.full(maximum)): return .failure(.full(maximum: maximum))
            case let .failure(.invalid(reason)): return .failure(.invalid(reason))
            }
        }
        return placed.map { handle, actions in
            logger.info("module order placed", ["node": node, "module": module, "operation": "\(request.operation)",
                                                "strategy": "\(request.strategy)", "user": audit?.user ?? ""])
            perform(actions)
            return handle
        }
    }

    /// Follows the view Raft published (after the gateway did): a lost leadership or a new term
    /// forgets every order; otherwise, while the lease holds, due retries are sent and expired
    /// orders abandoned (without it they wait: the lease may come back in the same term).
    func follow(_ view: ClusterView) {
        let now = gateway.clock.now()
        let leadership = gateway.leadership
        let leading = leadership.since != nil
        let actions = state.withLock { state -> [ModuleOrderBook.Action] in
            guard leading == state.isLeading, !leading || leadership.term == state.book.term else {
                state.isLeading = leading
                state.manualOrders = 0
                return state.book.restart(term: leadership.term)
            }
            return leadership.isActing(at: now) ? state.book.tick(now: now) : []
        }
        perform(actions)
    }

    /// `node`'s agent was welcomed: its open orders are sent again.
    func welcomed(node: String) {
        guard gateway.leadership.isActing(at: gateway.clock.now()) else { return }
        perform(state.withLock { $0.isLeading ? $0.book.welcomed(node: node) : [] })
    }

    /// A command result from `node`'s session: ignored unless that session is the node's current one.
    func receive(_ result: AgentCommandResult, from node: String, on channel: FrameChannel) {
        guard gateway.session(of: node)?.identity == ObjectIdentifier(channel) else {
            return logger.info("module order result from a replaced session ignored", ["node": node, "command": "\(result.commandID)"])
        }
        let now = gateway.clock.now()
        let reception = state.withLock { $0.isLeading ? $0.book.receive(result, from: node, now: now) : nil }
        guard let reception, reception.awaited else { return }
        counters.count(result)
        if let mismatch = reception.mismatch {
            logger.warning("module order answered for another operation; sending it again later",
                           ["node": node, "command": "\(result.commandID)", "detail": mismatch])
        } else if result.install == nil, !result.accepted {
            logger.info("module order not taken; sending it again later", ["node": node, "command": "\(result.commandID)",
                                                                          "detail": result.detail])
        }
        perform(reception.actions)
    }

    /// `node`'s open orders and last results, for the API.
    func report(of node: String) -> (open: [(request: ModuleOrderBook.Request, attempts: Int)], results: [ModuleOrderBook.Finished]) {
        state.withLock { state in
            (state.book.openOrders(of: node).map { ($0.request, $0.attempts) }, state.book.results(of: node))
        }
    }

    /// How many times the order of `handle` was sent so far (the last count once it ended).
    func attempts(of handle: ModuleOrderHandle) -> Int {
        if let end = handle.end { return end.finished.attempts }
        return state.withLock { state in
            state.book.openOrder(node: handle.request.node, module: handle.request.module)
                .flatMap { $0.handle == handle.id ? $0.attempts : nil } ?? 1
        }
    }

    /// The versions open install orders name, by module: retention keeps them.
    var versionsInstalling: [String: Set<String>] {
        state.withLock { $0.book.versionsInstalling }
    }

    private func perform(_ actions: [ModuleOrderBook.Action]) {
        for action in actions {
            switch action {
            case let .send(node, command):
                send(command, to: node)
            case let .finished(finished):
                let handle = state.withLock { $0.handles.removeValue(forKey: finished.handle) }
                ended(finished, audit: handle?.audit) { recorded in handle?.finish(finished, recorded: recorded) }
            }
        }
    }

    /// Sends `command` on `node`'s current session, if it is still the one awaited when the
    /// session's loop gets to it (no resend, answer or lost leadership came in between), and
    /// counts it then.
    private func send(_ command: AgentCommand, to node: String) {
        guard let session = gateway.session(of: node) else {
            return logger.info("module order waits for its node's next session", ["node": node, "command": "\(command.commandID)"])
        }
        let frame = Frame(kind: FrameKind.agentCommand.rawValue, payload: AgentSessionCodec.encode(command))
        session.ifOpen { [self] channel in
            let acting = gateway.leadership.isActing(at: gateway.clock.now())
            let awaited = state.withLock { state in
                state.isLeading && state.book.term == command.leaderTerm && state.book.awaits(commandID: command.commandID, from: node)
            }
            guard acting, awaited, gateway.session(of: node)?.identity == session.identity else {
                return logger.debug("module order no longer due; not sent", ["node": node, "command": "\(command.commandID)"])
            }
            counters.sent.increment()
            channel.send(frame, what: "module order", refusalsTo: logger)
        }
    }
}
