import Cluster
import Fleet
import Gateway
import Locking
import Observability
import Primitives
import Rollout
import Transport

/// The acting leader's deployment driver in the coordinator (Docs/DEPLOYMENTS.md, "The driver"):
/// the shell around `DeploymentDriver`. Raft's views only leave their deployments here
/// (`follow`, on the Raft loop, cheap); the driver steps on a loop of its own every `stepInterval`,
/// so a gate poll over a large wave never delays a heartbeat, and soon after the view's
/// deployments change or an order ends (`stepSoon`), so the time between waves is not the tick's. While this coordinator leads with a
/// valid lease, a step runs the driver over the newest view's deployments with readings from the
/// gateway's node windows, proposes what it asks through Raft (never forwarded) and places its
/// orders through `ModuleOrders`, reporting each answer and ending back; now and then it proposes
/// the compaction of deployments finished longer than the retention ago. A new term, or the loss
/// of the lease, starts the driver afresh in a new generation, and answers of an older generation
/// are dropped: everything it decides is in the replicated record, so the next leader resumes from
/// there. It owns its loop's thread: `start` begins the steps, `stop` ends them and joins the
/// thread once a step under way has finished.
final class DeploymentDriving: Sendable {
    static let stepIntervalMilliseconds: UInt64 = 250
    static let stepInterval: Duration = .milliseconds(Int64(stepIntervalMilliseconds))
    /// The least time between the end of a step and a prompt one after it (or the step's own
    /// length, when longer): a burst of changes costs one step, and the loop idles at least half
    /// the time however long a step over a large wave takes.
    static let promptStepGap: Duration = .milliseconds(20)
    static let compactionInterval: Duration = .seconds(60)

    private struct State {
        var driver = DeploymentDriver()
        var generation: UInt64 = 0
        /// The term the driver's state belongs to; nil while not acting.
        var term: UInt64?
        var nextCompactionAt = MonotonicInstant(nanoseconds: 0)
        var isCompacting = false
        var timer: TimerID?
        var stopped = false
        var lastStepEnded = MonotonicInstant(nanoseconds: 0)
        var lastStepLength: Duration = .zero
        var promptStepPending = false
        /// The wall-clock time of the gate poll a step is scheduled for, nil when none is.
        var pollStepAt: UInt64?
    }

    private let gateway: AgentGateway
    private let orders: ModuleOrders
    private let group: EventLoopGroup
    private let loop: EventLoop
    private let retention: Duration
    private let submit: @Sendable (ClusterRequest, @escaping @Sendable (ClusterOutcome) -> Void) -> Void
    private let logger: Logger
    private let ordersPlaced: Counter
    /// Touched only on the driver's loop, so the Raft loop never waits for a step.
    private let state = Locked(State())
    /// The newest view's deployments, left by `follow` on the Raft loop.
    private let latest = Locked(Latest())

    /// What `follow` leaves for the steps: the deployments, the applied index they are of, and
    /// whether a prompt step was asked for since the last step read them (so the Raft loop asks
    /// the driver's loop at most once per step, however many entries it applies).
    private struct Latest {
        var deployments: [DeploymentRecord] = []
        var appliedIndex: UInt64 = 0
        var wakeRequested = false
    }

    init(gateway: AgentGateway, orders: ModuleOrders, retention: Duration, logger: Logger, metrics: MetricsRegistry,
         submit: @escaping @Sendable (ClusterRequest, @escaping @Sendable (ClusterOutcome) -> Void) -> Void) throws(TransportError) {
        self.gateway = gateway
        self.orders = orders
        group = try EventLoopGroup(loopCount: 1)
        loop = group.next()
        self.retention = retention
        self.submit = submit
        self.logger = logger.with(component: "deployments")
        ordersPlaced = metrics.counter("hotswap_deployment_orders_total",
                                       help: "Install and switch-back orders the deployment driver placed, retries included.")
    }

    /// Keeps the view's deployments for the next step, which comes soon when they changed.
    /// Costs O(deployments) on the Raft loop, never O(nodes): a change is an applied index that
    /// moved while a deployment is unfinished.
    func follow(_ view: ClusterView) {
        let deployments = Array(view.deployments.values)
        let wake = latest.withLock { latest -> Bool in
            let moved = latest.appliedIndex != view.appliedIndex
            latest.deployments = deployments
            latest.appliedIndex = view.appliedIndex
            guard moved, !latest.wakeRequested, deployments.contains(where: { !$0.state.isTerminal }) else { return false }
            latest.wakeRequested = true
            return true
        }
        if wake { loop.execute { [self] in stepSoon() } }
    }

    func start() {
        loop.execute { [self] in schedule() }
    }

    /// Ends the steps and joins the loop's thread: a step under way finishes first (the loop runs
    /// one task at a time), and none follows. Answers still to come find the driver stopped.
    func stop() {
        loop.execute { [self] in
            state.withLock { state in
                state.stopped = true
                if let timer = state.timer { loop.cancelTimer(timer) }
                state.timer = nil
            }
        }
        group.shutdown()
    }

    private func schedule() {
        state.withLock { state in
            guard !state.stopped else { return }
            state.timer = loop.scheduleTimer(after: Self.stepInterval) { [self] in
                step()
                schedule()
            }
        }
    }

    /// A step soon, on the loop: at most one is pending, none runs sooner than `promptStepGap` (or
    /// the last step's length, when longer) after the step before it ended, checked again when it
    /// fires, and none after `stop`.
    private func stepSoon() {
        state.withLock { current in
            guard !current.stopped, !current.promptStepPending else { return }
            current.promptStepPending = true
            _ = loop.scheduleTimer(at: max(loop.now, Self.promptStepAllowed(after: current))) { [self] in
                let (stopped, early) = state.withLock { later in
                    later.promptStepPending = false
                    return (later.stopped, loop.now < Self.promptStepAllowed(after: later))
                }
                if stopped { return }
                if early { stepSoon() } else { step() }
            }
        }
    }

    private static func promptStepAllowed(after state: State) -> MonotonicInstant {
        state.lastStepEnded.advanced(by: max(promptStepGap, state.lastStepLength))
    }

    private func step() {
        let began = loop.now
        defer {
            let ended = loop.now
            state.withLock { state in
                state.lastStepEnded = ended
                state.lastStepLength = began.duration(until: ended)
            }
        }
        let now = gateway.clock.now()
        let leadership = gateway.leadership
        let acting = leadership.isActing(at: now)
        let source = readingSource()
        let wallNow = WallClock.nowMilliseconds()
        let deployments = latest.withLock { latest in
            latest.wakeRequested = false
            return latest.deployments
        }
        let (generation, actions, compact) = state.withLock { state -> (UInt64, [DeploymentDriver.Action], UInt64?) in
            guard acting else {
                if state.term != nil { restart(&state, term: nil) }
                return (state.generation, [], nil)
            }
            if state.term != leadership.term { restart(&state, term: leadership.term) }
            let actions = state.driver.step(deployments, nowMilliseconds: wallNow, readings: source)
            return (state.generation, actions, compactionDue(&state, deployments: deployments, now: now, wallNow: wallNow))
        }
        for action in actions { perform(action, generation: generation) }
        if let cut = compact { propose(compactionBefore: cut, generation: generation) }
        if acting { stepAtNextPoll(deployments, wallNow: wallNow) }
    }

    /// A step when the soonest gate poll falls due, when that is before the next tick: polls
    /// keep their interval instead of waiting up to a tick for a step.
    private func stepAtNextPoll(_ deployments: [DeploymentRecord], wallNow: UInt64) {
        guard let due = Self.nextPollDue(deployments), due > wallNow, due - wallNow < Self.stepIntervalMilliseconds else { return }
        state.withLock { current in
            guard !current.stopped, current.pollStepAt != due else { return }
            current.pollStepAt = due
            _ = loop.scheduleTimer(after: .milliseconds(Int64(due - wallNow) + 1)) { [self] in
                let stopped = state.withLock { later in
                    if later.pollStepAt == due { later.pollStepAt = nil }
                    return later.stopped
                }
                if !stopped { step() }
            }
        }
    }

    /// When the next gate poll of a running deployment's gating wave is due (as the driver
    /// takes them: a poll interval after the last poll, or after the installs finished).
    static func nextPollDue(_ deployments: [DeploymentRecord]) -> UInt64? {
        deployments.compactMap { deployment -> UInt64? in
            guard deployment.state == .running, let wave = deployment.waves.first(where: { $0.state == .gating }),
                  let since = wave.gatingSinceMilliseconds else { return nil }
            let lastEnd = since &+ (wave.decisions.last?.poll.elapsedMilliseconds ?? 0)
            return max(lastEnd &+ UInt64(deployment.gate.pollIntervalMilliseconds), since &+ 1)
        }.min()
    }

    private func restart(_ state: inout State, term: UInt64?) {
        state.driver = DeploymentDriver()
        state.generation += 1
        state.term = term
        state.isCompacting = false
    }

    private func perform(_ action: DeploymentDriver.Action, generation: UInt64) {
        switch action {
        case let .propose(key, command):
            submit(.write(FleetCodec.encode(command))) { [self] outcome in
                let refused: Bool
                if case let .applied(.rejected(rejection)) = outcome {
                    refused = true
                    logger.info("a deployment step was refused", ["step": key, "reason": "\(rejection)"])
                } else {
                    refused = false
                    if !outcome.succeeded {
                        logger.debug("a deployment step was not proposed; it is tried again", ["step": key, "outcome": outcome.logSummary])
                    }
                }
                onLoop { state, now in
                    guard state.generation == generation else { return }
                    if refused { state.driver.proposalRefused(key, nowMilliseconds: now) } else { state.driver.proposalAnswered(key) }
                }
            }
        case let .order(request):
            ordersPlaced.increment()
            switch orders.order(node: request.key.node, module: request.module, operation: request.operation,
                                strategy: request.strategy, audit: nil) {
            case let .success(handle):
                handle.whenFinished { [self] end in
                    ended(request.key, DeploymentDriving.ending(of: end.finished.ending), generation: generation)
                }
            case let .failure(refusal):
                ended(request.key, DeploymentDriving.ending(of: refusal, kind: request.key.kind), generation: generation)
            }
        }
    }

    private func ended(_ key: DeploymentDriver.OrderKey, _ ending: DeploymentDriver.OrderEnding, generation: UInt64) {
        onLoop { state, now in
            if state.generation == generation { state.driver.orderEnded(key, ending, nowMilliseconds: now) }
        }
        loop.execute { [self] in stepSoon() }
    }

    /// Runs `body` on the driver's loop with its state and the wall clock: answers come on the Raft
    /// loop and the sessions' loops, which must not wait for a step. After `stop` it never runs.
    private func onLoop(_ body: @escaping @Sendable (inout State, UInt64) -> Void) {
        loop.execute { [self] in
            let now = WallClock.nowMilliseconds()
            state.withLock { body(&$0, now) }
        }
    }

    /// The cut of a compaction due now: once a minute, when a deployment finished before it.
    private func compactionDue(_ state: inout State, deployments: [DeploymentRecord], now: MonotonicInstant,
                               wallNow: UInt64) -> UInt64? {
        guard !state.isCompacting, now >= state.nextCompactionAt else { return nil }
        state.nextCompactionAt = now.advanced(by: Self.compactionInterval)
        // Never past the newest finished deployment less the retention: a leader whose clock runs
        // ahead must not drop the history every member keeps.
        let kept = UInt64(retention.components.seconds) * 1_000
        let newestFinished = deployments.compactMap(\.finishedAtMilliseconds).max() ?? 0
        let cut = min(wallNow, newestFinished) &- min(min(wallNow, newestFinished), kept)
        guard deployments.contains(where: { ($0.finishedAtMilliseconds ?? .max) < cut }) else { return nil }
        state.isCompacting = true
        return cut
    }

    private func propose(compactionBefore cut: UInt64, generation: UInt64) {
        submit(.write(FleetCodec.encode(.compactDeployments(beforeMilliseconds: cut)))) { [self] outcome in
            if case let .applied(.deploymentsCompacted(removed)) = outcome {
                logger.info("dropped finished deployments past their retention", ["removed": "\(removed)"])
            } else {
                logger.debug("compacting finished deployments failed; tried again later", ["outcome": outcome.logSummary])
            }
            onLoop { state, _ in if state.generation == generation { state.isCompacting = false } }
        }
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
            let detail = result.reason.map { "\(result.outcome): \($0)" } ?? "\(result.outcome)"
            switch result.outcome {
            case .installed: return .succeeded(detail: detail, runs: result.active?.version)
            case .failed, .refused: return .failed(detail: detail)
            case .interrupted, .busy: return .retry(detail: detail)
            }
        case let .abandoned(reason, _): return .retry(detail: reason)
        case .forgotten: return .retry(detail: "forgotten: leadership changed")
        }
    }

    /// A switch back to a node removed from the fleet fails, saying so: a node is removed only while
    /// its agent is away, and its modules outlive the agent, so it may still run the new version.
    static func ending(of refusal: ModuleOrders.Refusal, kind: DeploymentDriver.OrderKind) -> DeploymentDriver.OrderEnding {
        if kind == .rollback, case .unknownNode = refusal {
            return .failed(detail: "the node was removed from the fleet; what it runs is unknown")
        }
        return switch refusal {
        case .alreadyOpen, .full: .busy(detail: "\(refusal)")
        case .notLeader, .notAttached, .artifactNotReady: .retry(detail: "\(refusal)")
        case .unknownNode, .unknownModule, .unknownVersion, .untrusted, .invalid: .failed(detail: "\(refusal)")
        }
    }
}
