import Cluster
import Fleet
import Gateway
import HostInstall
import Locking
import Observability
import Primitives
import Telemetry
import Transport
import Wire

/// The acting leader's module orders to agents (Docs/MODULES.md, "Orders from the leader"): the
/// shell around `ModuleOrderBook`. `order` is the one entry point (the node-module route calls it;
/// deployments will too): it builds the order from the module's record (sha256, size,
/// signature), sends it on the node's session as an `agentCommand`, and returns a handle to wait
/// on. Results arrive from the sessions (`receive`), welcomes resend what is unanswered, and every
/// view Raft publishes (`follow`, each tick) sends due retries or, when leadership was lost or the
/// term changed, forgets every order. A definitive result is recorded in the node's
/// `moduleVersions` through Raft, audited in the name of who asked (`ModuleOrders+Recording`).
/// Safe from any thread: the book is behind one lock, and what it decides is done outside it.
final class ModuleOrders: Sendable {
    /// Why an order was not placed.
    enum Refusal: Error, Equatable {
        case notLeader
        case unknownNode(String)
        case unknownModule(String)
        case unknownVersion(module: String, version: String)
        /// The node has no agent session on this leader.
        case notAttached(String)
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
    private let state: Locked<State>

    init(gateway: AgentGateway, logger: Logger, metrics: MetricsRegistry, limits: ModuleOrderBook.Limits = ModuleOrderBook.Limits()) {
        self.gateway = gateway
        self.logger = logger.with(component: "module-orders")
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
            artifact = OrderedArtifact(sha256: record.sha256, size: record.byteCount, signature: record.signature)
        }
        guard attached else { return .failure(.notAttached(node)) }
        let request = ModuleOrderBook.Request(node: node, module: module, operation: operation, strategy: strategy, artifact: artifact)
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
            logger.info("module order placed", ["node": node, "module": module, "operation": "\(operation)", "strategy": "\(strategy)"])
            perform(actions)
            return handle
        }
    }

    /// Follows the view Raft published (after the gateway did): a lost leadership or a new term
    /// forgets every order; otherwise due retries are sent and expired orders abandoned.
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
            return leading ? state.book.tick(now: now) : []
        }
        perform(actions)
    }

    /// `node`'s agent was welcomed: its unanswered orders are sent again.
    func welcomed(node: String) {
        let now = gateway.clock.now()
        perform(state.withLock { $0.isLeading ? $0.book.welcomed(node: node, now: now) : [] })
    }

    /// A command result from `node`'s session.
    func receive(_ result: AgentCommandResult, from node: String, on channel: FrameChannel) {
        let now = gateway.clock.now()
        let actions = state.withLock { state -> [ModuleOrderBook.Action]? in
            guard state.book.awaits(commandID: result.commandID, from: node) else { return nil }
            return state.book.receive(result, from: node, now: now)
        }
        guard let actions else { return }
        counters.count(result)
        if result.install == nil, !result.accepted {
            logger.info("module order not taken; sending it again later", ["node": node, "command": "\(result.commandID)",
                                                                          "detail": result.detail])
        }
        perform(actions)
    }

    /// `node`'s open orders and last results, for the API.
    func report(of node: String) -> (open: [(request: ModuleOrderBook.Request, attempts: Int)], results: [ModuleOrderBook.Finished]) {
        state.withLock { state in
            (state.book.openOrders(of: node).map { ($0.request, $0.attempts) }, state.book.results(of: node))
        }
    }

    private func perform(_ actions: [ModuleOrderBook.Action]) {
        for action in actions {
            switch action {
            case let .send(node, command):
                send(command, to: node)
            case let .finished(finished):
                let handle = state.withLock { $0.handles.removeValue(forKey: finished.handle) }
                ended(finished, audit: handle?.audit)
                handle?.finish(finished)
            }
        }
    }

    private func send(_ command: AgentCommand, to node: String) {
        counters.sent.increment()
        guard let session = gateway.session(of: node) else {
            return logger.info("module order waits for its node's next session", ["node": node, "command": "\(command.commandID)"])
        }
        let frame = Frame(kind: FrameKind.agentCommand.rawValue, payload: AgentSessionCodec.encode(command))
        let logger = self.logger
        session.ifOpen { channel in channel.send(frame, what: "module order", refusalsTo: logger) }
    }
}
