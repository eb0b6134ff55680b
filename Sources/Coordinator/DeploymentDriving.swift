import Cluster
import Fleet
import Gateway
import Locking
import Observability
import Primitives
import Rollout
import Transport

/// The acting leader's deployment driver in the coordinator (Docs/DEPLOYMENTS.md, "The driver"):
/// the shell around `DeploymentDriver`. It follows Raft's views, as the module orders do, and at
/// most every `stepInterval`, while this coordinator leads with a valid lease, steps the driver over
/// the view's deployments with readings from the gateway's node windows; it proposes what the
/// driver asks through Raft and places its orders through `ModuleOrders`, reporting each answer
/// and ending back. A new term or lost leadership starts the driver afresh: everything it decides
/// is in the replicated record, so the next leader resumes from there. Safe from any thread: the
/// driver is behind one lock, never held while proposing or placing.
final class DeploymentDriving: Sendable {
    static let stepInterval: Duration = .milliseconds(250)

    private struct State {
        var driver = DeploymentDriver()
        var term: UInt64?
        var nextStepAt = MonotonicInstant(nanoseconds: 0)
    }

    private let gateway: AgentGateway
    private let orders: ModuleOrders
    private let submit: @Sendable (ClusterRequest, @escaping @Sendable (ClusterOutcome) -> Void) -> Void
    private let logger: Logger
    private let counters: DeploymentCounters
    private let state = Locked(State())

    init(gateway: AgentGateway, orders: ModuleOrders, logger: Logger, metrics: MetricsRegistry,
         submit: @escaping @Sendable (ClusterRequest, @escaping @Sendable (ClusterOutcome) -> Void) -> Void) {
        self.gateway = gateway
        self.orders = orders
        self.submit = submit
        self.logger = logger.with(component: "deployments")
        counters = DeploymentCounters(metrics: metrics)
    }

    /// Steps the driver when due, on the leader with a valid lease; forgets everything otherwise.
    func follow(_ view: ClusterView) {
        let now = gateway.clock.now()
        let leadership = gateway.leadership
        let acting = leadership.isActing(at: now)
        let deployments = Array(view.deployments.values)
        let source = readingSource()
        let actions = state.withLock { state -> [DeploymentDriver.Action] in
            guard acting else {
                if state.term != nil { state = State() }
                return []
            }
            if state.term != leadership.term { state = State(term: leadership.term) }
            guard now >= state.nextStepAt else { return [] }
            state.nextStepAt = now.advanced(by: Self.stepInterval)
            return state.driver.step(deployments, nowMilliseconds: WallClock.nowMilliseconds(), readings: source)
        }
        for action in actions { perform(action, term: leadership.term) }
    }

    private func perform(_ action: DeploymentDriver.Action, term: UInt64) {
        switch action {
        case let .propose(key, command):
            submit(.write(FleetCodec.encode(command))) { [self] outcome in
                if case let .applied(.rejected(rejection)) = outcome {
                    logger.info("a deployment step was refused", ["step": key, "reason": "\(rejection)"])
                } else if !outcome.succeeded {
                    logger.debug("a deployment step was not proposed; it is tried again", ["step": key, "outcome": outcome.logSummary])
                }
                state.withLock { if $0.term == term { $0.driver.proposalAnswered(key) } }
            }
        case let .order(request):
            counters.ordersPlaced.increment()
            switch orders.order(node: request.key.node, module: request.module, operation: request.operation,
                                strategy: request.strategy, audit: nil) {
            case let .success(handle):
                handle.whenFinished { [self] end in ended(request.key, DeploymentDriving.ending(of: end.finished.ending), term: term) }
            case let .failure(refusal):
                ended(request.key, DeploymentDriving.ending(of: refusal), term: term)
            }
        }
    }

    private func ended(_ key: DeploymentDriver.OrderKey, _ ending: DeploymentDriver.OrderEnding, term: UInt64) {
        let now = WallClock.nowMilliseconds()
        state.withLock { if $0.term == term { $0.driver.orderEnded(key, ending, nowMilliseconds: now) } }
    }

    /// Readings from the gateway's windows: a node's samples in the window, made into medians.
    private func readingSource() -> ReadingSource {
        let gateway = self.gateway
        return ReadingSource(
            reading: { node, module, from, to in
                guard let window = gateway.window(of: node) else { return nil }
                return GateReadings.reading(of: window.samples(from: from, to: to), module: module, from: from, to: to)
            },
            earliestSample: { node in gateway.window(of: node)?.samples.first?.timestampMilliseconds })
    }

    static func ending(of ending: ModuleOrderBook.Ending) -> DeploymentDriver.OrderEnding {
        switch ending {
        case let .answered(result):
            let detail = "\(result.outcome)"
            switch result.outcome {
            case .installed: return .succeeded(detail: detail)
            case .failed, .refused: return .failed(detail: detail)
            case .interrupted, .busy: return .retry(detail: detail)
            }
        case let .abandoned(reason, _): return .retry(detail: reason)
        case .forgotten: return .retry(detail: "forgotten: leadership changed")
        }
    }

    static func ending(of refusal: ModuleOrders.Refusal) -> DeploymentDriver.OrderEnding {
        switch refusal {
        case .notLeader, .notAttached, .artifactNotReady, .alreadyOpen, .full: .retry(detail: "\(refusal)")
        case .unknownNode, .unknownModule, .unknownVersion, .untrusted, .invalid: .failed(detail: "\(refusal)")
        }
    }
}

/// The driver's counters on `/metrics`.
struct DeploymentCounters: Sendable {
    let ordersPlaced: Counter

    init(metrics: MetricsRegistry) {
        ordersPlaced = metrics.counter("hotswap_deployment_orders_total",
                                       help: "Install and switch-back orders the deployment driver placed, retries included.")
    }
}
