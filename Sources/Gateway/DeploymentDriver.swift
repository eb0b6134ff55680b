import Fleet
import HostInstall
import Rollout

/// The acting leader's deployment driver (Docs/DEPLOYMENTS.md, "The driver") as a pure state
/// machine: from the replicated deployments, the leader's wall clock and the node readings, the
/// commands to propose and the orders to place; the shell carries them out and reports back
/// (`orderEnded`, `proposalAnswered`). Everything it decides is in the replicated record, so its
/// own state is only what is in flight: a new leader starts with none and resumes every running
/// deployment from its record, placing again the orders of nodes the record shows unfinished
/// (with the same operation id, which a host that already ran it answers from its table). A new
/// leader so gives every unfinished node a fresh deadline: its orders' time is its own.
/// Bounded: orders in flight per deployment by its install concurrency (rollbacks by
/// `Limits.rollbackConcurrency`), one proposal per step in flight, nothing kept for a
/// deployment that finished or left the state.
public struct DeploymentDriver: Sendable {
    public struct Limits: Sendable, Equatable {
        /// How long a node has to answer an install or a switch-back before it counts as failed:
        /// counted from the order's first placement, leaving out the time it waited for capacity
        /// (`OrderEnding.busy`).
        public var orderDeadlineMilliseconds: UInt64 = 600_000
        /// An order that could not be placed, or ended without a definitive answer, is placed
        /// again after this long (until its deadline).
        public var orderRetryMilliseconds: UInt64 = 1_000
        /// A proposal with no answer after this long is proposed again (applying it twice is
        /// harmless); a refused one waits this long before its key is proposed again.
        public var proposalRetryMilliseconds: UInt64 = 5_000
        /// Switch-backs in flight at once in one rollback: a rollback runs as fast as this allows.
        public var rollbackConcurrency = 256

        public init() {}
    }

    /// What an order does on its node.
    public enum OrderKind: Hashable, Sendable {
        case install, rollback
    }

    /// One node's order of one deployment.
    public struct OrderKey: Hashable, Sendable {
        public var deployment: String
        public var node: String
        public var kind: OrderKind

        public init(deployment: String, node: String, kind: OrderKind) {
            self.deployment = deployment
            self.node = node
            self.kind = kind
        }
    }

    /// An order for the shell to place (through the leader's module orders).
    public struct OrderRequest: Equatable, Sendable {
        public var key: OrderKey
        public var module: String
        public var operation: OperationID
        public var strategy: InstallStrategy
    }

    /// How an order ended, as the shell reports it.
    public enum OrderEnding: Equatable, Sendable {
        /// The host installed (or switched back) and runs `runs` now (nil: no version of the module).
        case succeeded(detail: String, runs: String?)
        /// The host answered that it could not, or the order cannot be placed at all.
        case failed(detail: String)
        /// Not placed, or ended without a definitive answer: placed again until the deadline.
        case retry(detail: String)
        /// Not placed for want of capacity (the leader's order book is full, or the node has an
        /// order open): placed again, and the wait neither starts nor runs the deadline.
        case busy(detail: String)
    }

    public enum Action: Equatable, Sendable {
        /// Propose the command; report its answer with `proposalAnswered(key)`.
        case propose(key: String, FleetCommand)
        case order(OrderRequest)
    }

    struct Order: Sendable {
        /// Time counted toward the deadline in spans that ended.
        var counted: UInt64 = 0
        /// Since when time counts toward the deadline: nil before the first placement and while
        /// waiting for capacity.
        var countingSince: UInt64?
        var placedAt: UInt64 = 0
        /// Placed and not yet ended.
        var inFlight = false
        var retryAt: UInt64 = 0
        var lastDetail = ""
        /// A definitive ending waiting to be recorded.
        var ending: OrderEnding?

        /// The time counted toward the deadline by `now`.
        func elapsed(at now: UInt64) -> UInt64 {
            counted &+ (countingSince.map { now >= $0 ? now - $0 : 0 } ?? 0)
        }
    }

    public let limits: Limits
    var orders: [OrderKey: Order] = [:]
    /// Proposals in flight, by key, with when they were made (or refused).
    var proposals: [String: UInt64] = [:]

    public init(limits: Limits = Limits()) {
        self.limits = limits
    }

    public var ordersInFlight: Int { orders.values.count { $0.inFlight } }

    /// What to do now for every deployment in `deployments` (the replicated state's, any order).
    /// `readings` gives a node's reading for a module over `[from, to)` wall-clock milliseconds.
    public mutating func step(_ deployments: [DeploymentRecord], nowMilliseconds now: UInt64,
                              readings: ReadingSource) -> [Action] {
        forgetFinished(deployments)
        var actions: [Action] = []
        for deployment in deployments.sorted(by: { $0.id < $1.id }) where !deployment.state.isTerminal {
            switch deployment.state {
            case .awaitingApproval: actions += expiry(of: deployment, now: now)
            case .running: actions += running(deployment, now: now, readings: readings)
            case .paused: actions += recordEnded(deployment, now: now)
            case .rollingBack: actions += rollingBack(deployment, now: now)
            case .succeeded, .rolledBack, .aborted, .failed: break
            }
        }
        return actions
    }

    /// The shell placed an order and it ended (or could not be placed).
    public mutating func orderEnded(_ key: OrderKey, _ ending: OrderEnding, nowMilliseconds now: UInt64) {
        guard var order = orders[key] else { return }
        order.inFlight = false
        switch ending {
        case .succeeded, .failed:
            order.ending = ending
        case let .retry(detail):
            order.lastDetail = detail
            order.retryAt = now &+ limits.orderRetryMilliseconds
        case let .busy(detail):
            order.lastDetail = detail
            order.retryAt = now &+ limits.orderRetryMilliseconds
            if let since = order.countingSince {
                order.counted &+= order.placedAt >= since ? order.placedAt - since : 0
                order.countingSince = nil
            }
        }
        orders[key] = order
    }

    /// A proposal was applied or lost: the next step looks at the record again.
    public mutating func proposalAnswered(_ key: String) {
        proposals[key] = nil
    }

    /// A proposal was applied and refused: its key waits `proposalRetryMilliseconds` from `now`
    /// before it is proposed again, so a step the record does not take is not repeated every step.
    public mutating func proposalRefused(_ key: String, nowMilliseconds now: UInt64) {
        guard proposals[key] != nil else { return }
        proposals[key] = now
    }

    /// A proposal under `key` unless one is in flight and not yet due again.
    mutating func propose(_ key: String, _ command: FleetCommand, now: UInt64) -> [Action] {
        if let proposedAt = proposals[key], now < proposedAt &+ limits.proposalRetryMilliseconds { return [] }
        proposals[key] = now
        return [.propose(key: key, command)]
    }

    private mutating func expiry(of deployment: DeploymentRecord, now: UInt64) -> [Action] {
        guard let approval = deployment.approval, approval.decision == .pending, now >= approval.expiresAtMilliseconds else { return [] }
        return propose("expire/\(deployment.id)", .expireApproval(id: deployment.id, atMilliseconds: now), now: now)
    }

    /// Drops what is kept for deployments that finished or are gone, and for nodes no longer
    /// waiting for the kind of order kept (a rollback overtook an install).
    private mutating func forgetFinished(_ deployments: [DeploymentRecord]) {
        var waiting = Set<OrderKey>()
        var live = Set<String>()
        for deployment in deployments where !deployment.state.isTerminal {
            live.insert(deployment.id)
            for node in deployment.nodes {
                switch node.state {
                case .installing: waiting.insert(OrderKey(deployment: deployment.id, node: node.id, kind: .install))
                case .rollingBack: waiting.insert(OrderKey(deployment: deployment.id, node: node.id, kind: .rollback))
                case .pending, .installed, .installFailed, .rolledBack, .rollbackFailed: break
                }
            }
        }
        orders = orders.filter { waiting.contains($0.key) }
        proposals = proposals.filter { key, _ in
            let id = key.split(separator: "/").dropFirst().first.map(String.init) ?? ""
            return live.contains(id)
        }
    }
}

/// Where the driver reads what nodes measured: the leader's per-node sample windows.
public struct ReadingSource: Sendable {
    /// A node's reading of a module over `[from, to)` wall-clock milliseconds; nil without samples.
    public var reading: @Sendable (_ node: String, _ module: String, _ from: UInt64, _ to: UInt64) -> NodeReading?
    /// The time of the oldest sample held for a node, nil when none is.
    public var earliestSample: @Sendable (_ node: String) -> UInt64?

    public init(reading: @escaping @Sendable (String, String, UInt64, UInt64) -> NodeReading?,
                earliestSample: @escaping @Sendable (String) -> UInt64?) {
        self.reading = reading
        self.earliestSample = earliestSample
    }
}
