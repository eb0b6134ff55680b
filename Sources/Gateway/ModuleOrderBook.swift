import HostInstall
import Primitives
import Telemetry

/// The acting leader's module orders (Docs/MODULES.md, "Orders from the leader"), as a pure state
/// machine: events in (an order placed, a node welcomed, a command result, a tick, leadership
/// lost), actions out (send this command to that node, this order ended). Per node at most one
/// order per module at a time, at most `ordersMaximum` in all. Every send is a fresh command id
/// and a fresh sequence from one counter that never goes back (not even in a new term), so
/// sequences increase per (node, module) and a result of an older term's command never matches a
/// newer one; the operation id stays, so a host that already ran it answers from its table. A
/// definitive `install` result of the order's operation ends the order once, whichever of its
/// commands it answers; `accepted: false`, `interrupted` and a result naming another operation
/// are sent again after a backoff (`RestartBackoff`-like doubling, bounded), at most
/// `attemptsMaximum` of them; `busy` (the host still runs it) is sent again after the backoff too,
/// but only the lifetime bounds those; an unanswered order is sent again after the node's next
/// welcome (not counted either); an order still open at its deadline is abandoned. Losing
/// leadership forgets every order (the new leader's term fences them on the agents), and the
/// results kept. The last ending per node and module is kept, for at most `resultNodesMaximum` nodes.
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

    /// What a command result did.
    public struct Reception: Equatable, Sendable {
        /// Whether it answered an open order of the node; otherwise it was ignored.
        public var awaited: Bool
        /// Set when the answer named another operation than the order's: taken as nothing run.
        public var mismatch: String?
        public var actions: [Action]

        public static let ignored = Reception(awaited: false, actions: [])
    }

    private struct Key: Hashable {
        var node: String
        var module: String
    }

    private struct Entry {
        var handle: UInt64
        var request: Request
        var commandID: UInt64 = 0
        /// Sends so far, resends included.
        var attempts = 0
        /// Answers that nothing was run (`accepted: false`, `interrupted`, another operation's result).
        var notTaken = 0
        /// When to send again (after a retryable answer); nil while a send is unanswered.
        var retryAt: MonotonicInstant?
        var deadline: MonotonicInstant
        var last: InstallResult?
        var lastDetail = ""

        /// The earliest instant a tick has something to do for this entry.
        var dueAt: MonotonicInstant { min(deadline, retryAt ?? deadline) }
    }

    public let limits: Limits
    public private(set) var term: UInt64
    private var open: [Key: Entry] = [:]
    private var byCommand: [UInt64: Key] = [:]
    /// The modules with an open order, by node.
    private var modulesByNode: [String: Set<String>] = [:]
    /// No entry is due before this: a tick before it does nothing.
    private var wakeAt: MonotonicInstant?
    /// The command ids and sequences: one counter gives both, across terms.
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
        let entry = Entry(handle: handles, request: request, deadline: now.advanced(by: limits.lifetime))
        open[key] = entry
        modulesByNode[key.node, default: []].insert(key.module)
        wake(at: entry.dueAt)
        return .success((handles, [send(key)]))
    }

    /// The node's agent was welcomed (again): every order of it still open is sent again, as a new
    /// command of the same operation, at once (a backoff under way ends); not counted against the attempts.
    public mutating func welcomed(node: String) -> [Action] {
        (modulesByNode[node] ?? []).sorted().map { send(Key(node: node, module: $0)) }
    }

    /// A command result from `node`. The answer to the command last sent for an open order acts
    /// on it; a definitive answer of an open order's operation from its node ends it whatever
    /// command it answers (an earlier send's, after a resend); anything else is ignored.
    public mutating func receive(_ result: AgentCommandResult, from node: String, now: MonotonicInstant) -> Reception {
        guard let key = byCommand[result.commandID], key.node == node, var entry = open[key],
              entry.commandID == result.commandID else {
            let ended = answerToAnEarlierCommand(result, from: node).map { [$0] } ?? []
            return Reception(awaited: !ended.isEmpty, actions: ended)
        }
        entry.lastDetail = result.detail
        guard let install = result.install else {
            // Taken and still running: the definitive answer comes later on the same command.
            if result.accepted { return Reception(awaited: true, actions: []) }
            return Reception(awaited: true, actions: notTaken(key, entry, now: now))
        }
        guard install.operation == entry.request.operation else {
            let mismatch = "the answer names operation \(install.operation), not \(entry.request.operation)"
            entry.lastDetail = mismatch
            return Reception(awaited: true, mismatch: mismatch, actions: notTaken(key, entry, now: now))
        }
        entry.last = install
        switch install.outcome {
        case .installed, .failed, .refused:
            open[key] = entry
            return Reception(awaited: true, actions: [finish(key, .answered(install))])
        case .busy:
            byCommand[entry.commandID] = nil
            entry.retryAt = now.advanced(by: backoff(afterAttempts: entry.attempts))
            open[key] = entry
            wake(at: entry.dueAt)
            return Reception(awaited: true, actions: [])
        case .interrupted:
            return Reception(awaited: true, actions: notTaken(key, entry, now: now))
        }
    }

    /// Sends what is due again and abandons what outlived its deadline.
    public mutating func tick(now: MonotonicInstant) -> [Action] {
        guard let wakeAt, now >= wakeAt else { return [] }
        var actions: [Action] = []
        for key in open.keys.sorted(by: { ($0.node, $0.module) < ($1.node, $1.module) }) {
            guard let entry = open[key] else { continue }
            if now >= entry.deadline {
                actions.append(finish(key, .abandoned(reason: "no definitive answer within the order's lifetime: \(describe(entry))",
                                                      last: entry.last)))
            } else if let retryAt = entry.retryAt, now >= retryAt {
                actions.append(send(key))
            }
        }
        self.wakeAt = open.values.map(\.dueAt).min()
        return actions
    }

    /// This coordinator stopped leading, or leads in a new term: every open order ends as
    /// forgotten, the results kept are dropped; later commands are of `term`.
    public mutating func restart(term: UInt64) -> [Action] {
        let keys = open.keys.sorted { ($0.node, $0.module) < ($1.node, $1.module) }
        let actions = keys.map { finish($0, .forgotten) }
        self.term = term
        byCommand.removeAll()
        results.removeAll()
        resultAge.removeAll()
        wakeAt = nil
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
        (modulesByNode[node] ?? []).sorted().compactMap { openOrder(node: node, module: $0) }
    }

    /// The versions open install orders name, by module.
    public var versionsInstalling: [String: Set<String>] {
        var versions: [String: Set<String>] = [:]
        for entry in open.values {
            if case let .install(version) = entry.request.operation.kind { versions[entry.request.module, default: []].insert(version) }
        }
        return versions
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

    /// Nothing was run: sent again after the backoff, or abandoned at the most answers of that kind.
    private mutating func notTaken(_ key: Key, _ answered: Entry, now: MonotonicInstant) -> [Action] {
        var entry = answered
        byCommand[entry.commandID] = nil
        entry.notTaken += 1
        open[key] = entry
        guard entry.notTaken < limits.attemptsMaximum else {
            return [finish(key, .abandoned(reason: "not taken \(entry.notTaken) times in \(entry.attempts) attempts: \(describe(entry))",
                                           last: entry.last))]
        }
        entry.retryAt = now.advanced(by: backoff(afterAttempts: entry.attempts))
        open[key] = entry
        wake(at: entry.dueAt)
        return []
    }

    /// A definitive answer of an open order's operation to a command no longer awaited ends the order.
    private mutating func answerToAnEarlierCommand(_ result: AgentCommandResult, from node: String) -> Action? {
        guard let install = result.install, [.installed, .failed, .refused].contains(install.outcome),
              let module = (modulesByNode[node] ?? []).first(where: {
                  open[Key(node: node, module: $0)]?.request.operation == install.operation
              }) else { return nil }
        let key = Key(node: node, module: module)
        open[key]?.last = install
        open[key]?.lastDetail = result.detail
        return finish(key, .answered(install))
    }

    private mutating func wake(at instant: MonotonicInstant) {
        wakeAt = min(wakeAt ?? instant, instant)
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
        modulesByNode[key.node]?.remove(key.module)
        if modulesByNode[key.node]?.isEmpty == true { modulesByNode[key.node] = nil }
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
