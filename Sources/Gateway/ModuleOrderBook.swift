import HostInstall
import Primitives
import Telemetry

/// The acting leader's module orders (Docs/MODULES.md, "Orders from the leader"), as a pure state
/// machine: events in (an order placed, a node welcomed, a command result, a tick, leadership
/// lost), actions out (send this command to that node, this order ended). Per node at most one
/// order per module at a time, at most `ordersMaximum` in all. Every send is a fresh command id
/// and a fresh sequence from one counter of the term, so sequences increase per (node, module)
/// within it; the operation id stays, so a host that already ran it answers from its table. A
/// definitive `install` result ends the order once; `accepted: false`, `busy` and `interrupted`
/// are sent again after a backoff (`RestartBackoff`-like doubling, bounded) up to
/// `attemptsMaximum` sends; an unanswered order is sent again after the node's next welcome; an
/// order still open at its deadline is abandoned. Losing leadership forgets every order (the new
/// leader's term fences them on the agents), and the results kept. The last ending per node and
/// module is kept, for at most `resultNodesMaximum` nodes.
public struct ModuleOrderBook: Sendable {
    public struct Limits: Sendable {
        public var ordersMaximum = 1_024
        public var attemptsMaximum = 6
        public var backoffInitial: Duration = .seconds(1)
        public var backoffMaximum: Duration = .seconds(30)
        /// How long an order may stay open, sent or waiting for its node, before it is abandoned.
        public var lifetime: Duration = .seconds(1_800)
        public var resultNodesMaximum = 10_000
        public init() {}
    }

    /// What a caller asks one node to do with one module.
    public struct Request: Equatable, Sendable {
        public var node: String
        public var module: String
        public var operation: OperationID
        public var strategy: InstallStrategy
        /// Present exactly for an install.
        public var artifact: OrderedArtifact?

        public init(node: String, module: String, operation: OperationID, strategy: InstallStrategy, artifact: OrderedArtifact?) {
            self.node = node
            self.module = module
            self.operation = operation
            self.strategy = strategy
            self.artifact = artifact
        }
    }

    /// How an order ended.
    public enum Ending: Equatable, Sendable {
        /// The host's definitive answer (installed, failed, refused).
        case answered(InstallResult)
        /// No definitive answer within the attempts or the lifetime; the last thing heard, if anything.
        case abandoned(reason: String, last: InstallResult?)
        /// This coordinator stopped leading before an answer.
        case forgotten
    }

    /// An order's end, as kept and shown.
    public struct Finished: Equatable, Sendable {
        public var handle: UInt64
        public var request: Request
        public var ending: Ending
        public var attempts: Int
    }

    public enum Action: Equatable, Sendable {
        case send(node: String, AgentCommand)
        case finished(Finished)
    }

    public enum Refusal: Error, Equatable, Sendable {
        /// An order for this node and module is still open.
        case alreadyOpen(handle: UInt64)
        case full(maximum: Int)
        case invalid(String)
    }

    private struct Key: Hashable {
        var node: String
        var module: String
    }

    private struct Entry {
        var handle: UInt64
        var request: Request
        var commandID: UInt64 = 0
        var attempts = 0
        /// When to send again (after a retryable answer); nil while a send is unanswered.
        var retryAt: MonotonicInstant?
        var deadline: MonotonicInstant
        var last: InstallResult?
        var lastDetail = ""
    }

    public let limits: Limits
    public private(set) var term: UInt64
    private var open: [Key: Entry] = [:]
    private var byCommand: [UInt64: Key] = [:]
    /// The command ids and sequences of the term: one counter gives both.
    private var counter: UInt64 = 0
    private var handles: UInt64 = 0
    private var results: [String: [String: Finished]] = [:]
    /// Each node with results, by the handle of its newest: the oldest are dropped first.
    private var resultAge: [String: UInt64] = [:]

    public init(term: UInt64, limits: Limits = Limits()) {
        self.term = term
        self.limits = limits
    }

    public var openCount: Int { open.count }

    /// Places an order and sends it now. The handle names the order in the `finished` action.
    public mutating func place(_ request: Request, now: MonotonicInstant) -> Result<(UInt64, [Action]), Refusal> {
        let key = Key(node: request.node, module: request.module)
        if let existing = open[key] { return .failure(.alreadyOpen(handle: existing.handle)) }
        guard open.count < limits.ordersMaximum else { return .failure(.full(maximum: limits.ordersMaximum)) }
        let order = ModuleOrder(module: request.module, command: InstallCommand(
            operation: request.operation, term: term, sequence: 1, strategy: request.strategy), artifact: request.artifact)
        if let refusal = order.refusal() { return .failure(.invalid(refusal)) }
        handles += 1
        open[key] = Entry(handle: handles, request: request, deadline: now.advanced(by: limits.lifetime))
        return .success((handles, [send(key)]))
    }

    /// The node's agent was welcomed (again): every order of it still waiting for an answer is
    /// sent again, as a new command of the same operation.
    public mutating func welcomed(node: String, now: MonotonicInstant) -> [Action] {
        let keys = open.keys.filter { $0.node == node }.sorted { $0.module < $1.module }
        return keys.flatMap { key in sendOrEnd(key, now: now) }
    }

    /// A command result from `node`: ignored unless it answers the command last sent for an open
    /// order of that node.
    public mutating func receive(_ result: AgentCommandResult, from node: String, now: MonotonicInstant) -> [Action] {
        guard let key = byCommand[result.commandID], key.node == node, var entry = open[key],
              entry.commandID == result.commandID else { return [] }
        byCommand[result.commandID] = nil
        entry.lastDetail = result.detail
        if let install = result.install {
            entry.last = install
            switch install.outcome {
            case .installed, .failed, .refused:
                open[key] = entry
                return [finish(key, .answered(install))]
            case .busy, .interrupted:
                break
            }
        } else if result.accepted {
            // Taken and still running: the definitive answer comes later on the same command.
            byCommand[result.commandID] = key
            return []
        }
        guard entry.attempts < limits.attemptsMaximum else {
            open[key] = entry
            return [finish(key, .abandoned(reason: "no definitive answer after \(entry.attempts) attempts: \(describe(entry))",
                                           last: entry.last))]
        }
        entry.retryAt = now.advanced(by: backoff(afterAttempts: entry.attempts))
        open[key] = entry
        return []
    }

    /// Sends what is due again and abandons what outlived its deadline.
    public mutating func tick(now: MonotonicInstant) -> [Action] {
        var actions: [Action] = []
        for key in open.keys.sorted(by: { ($0.node, $0.module) < ($1.node, $1.module) }) {
            guard let entry = open[key] else { continue }
            if now >= entry.deadline {
                actions.append(finish(key, .abandoned(reason: "no definitive answer within the order's lifetime: \(describe(entry))",
                                                      last: entry.last)))
            } else if let retryAt = entry.retryAt, now >= retryAt {
                actions += sendOrEnd(key, now: now)
            }
        }
        return actions
    }

    /// This coordinator stopped leading, or leads in a new term: every open order ends as
    /// forgotten, the results kept are dropped, and the counters start over for `term`.
    public mutating func restart(term: UInt64) -> [Action] {
        let keys = open.keys.sorted { ($0.node, $0.module) < ($1.node, $1.module) }
        let actions = keys.map { finish($0, .forgotten) }
        self.term = term
        counter = 0
        byCommand.removeAll()
        results.removeAll()
        resultAge.removeAll()
        return actions
    }

    /// Whether `commandID` is the command last sent to `node` for one of its open orders.
    public func awaits(commandID: UInt64, from node: String) -> Bool {
        byCommand[commandID].map { $0.node == node && open[$0]?.commandID == commandID } ?? false
    }

    /// The open order of `node` and `module`: its handle and request.
    public func openOrder(node: String, module: String) -> (handle: UInt64, request: Request, attempts: Int)? {
        open[Key(node: node, module: module)].map { ($0.handle, $0.request, $0.attempts) }
    }

    /// The open orders of `node`, by module.
    public func openOrders(of node: String) -> [(handle: UInt64, request: Request, attempts: Int)] {
        open.filter { $0.key.node == node }.sorted { $0.key.module < $1.key.module }
            .map { ($0.value.handle, $0.value.request, $0.value.attempts) }
    }

    /// The last ending of each module's order on `node`, by module.
    public func results(of node: String) -> [Finished] {
        (results[node] ?? [:]).values.sorted { $0.request.module < $1.request.module }
    }

    /// The wait before the next send after `attempts` sends: `backoffInitial` doubled per further
    /// attempt, at most `backoffMaximum`.
    public func backoff(afterAttempts attempts: Int) -> Duration {
        var wait = limits.backoffInitial
        for _ in 1..<max(1, attempts) where wait < limits.backoffMaximum { wait = wait * 2 }
        return min(wait, limits.backoffMaximum)
    }

    private mutating func sendOrEnd(_ key: Key, now: MonotonicInstant) -> [Action] {
        guard let entry = open[key] else { return [] }
        guard entry.attempts < limits.attemptsMaximum else {
            return [finish(key, .abandoned(reason: "no definitive answer after \(entry.attempts) attempts: \(describe(entry))",
                                           last: entry.last))]
        }
        return [send(key)]
    }

    /// A fresh command of the entry's operation, recorded as the one awaited.
    private mutating func send(_ key: Key) -> Action {
        guard var entry = open[key] else { preconditionFailure("only an open order is sent") }
        counter += 1
        byCommand[entry.commandID] = nil
        entry.commandID = counter
        entry.attempts += 1
        entry.retryAt = nil
        byCommand[counter] = key
        open[key] = entry
        let request = entry.request
        let order = ModuleOrder(module: request.module, command: InstallCommand(
            operation: request.operation, term: term, sequence: counter, strategy: request.strategy), artifact: request.artifact)
        return .send(node: key.node, AgentCommand(leaderTerm: term, commandID: counter, action: .module(order)))
    }

    private mutating func finish(_ key: Key, _ ending: Ending) -> Action {
        guard let entry = open.removeValue(forKey: key) else { preconditionFailure("only an open order ends") }
        byCommand[entry.commandID] = nil
        let finished = Finished(handle: entry.handle, request: entry.request, ending: ending, attempts: entry.attempts)
        if ending != .forgotten { keep(finished) }
        return .finished(finished)
    }

    private mutating func keep(_ finished: Finished) {
        let node = finished.request.node
        results[node, default: [:]][finished.request.module] = finished
        resultAge[node] = finished.handle
        guard resultAge.count > limits.resultNodesMaximum, let oldest = resultAge.min(by: { $0.value < $1.value })?.key else { return }
        resultAge[oldest] = nil
        results[oldest] = nil
    }

    private func describe(_ entry: Entry) -> String {
        if let last = entry.last { return "the host last answered \(last.outcome)" + (last.reason.map { " (\($0))" } ?? "") }
        return entry.lastDetail.isEmpty ? "no answer" : "the agent last said '\(entry.lastDetail)'"
    }
}
