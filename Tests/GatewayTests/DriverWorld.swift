import Fleet
import Gateway
import HostInstall
import Primitives
import Rollout

/// A deterministic world for the deployment driver: one replicated state applied in log order, a
/// leader whose driver a failover replaces, proposals that commit late or are lost, and hosts that
/// carry out orders after a delay, answer a repeated operation from their table, may hang, and
/// measure a latency that the `bad` version raises; the `crashing` version is in none of their
/// samples. Time is simulated milliseconds.
struct DriverWorld {
    /// One simulated host.
    struct Host {
        var current: String?
        /// The version a switch back returns to.
        var retained: String?
        /// Never answers an order (and never carries one out).
        var hung = false
        /// Answers every install that it failed.
        var installFails = false
        /// Keeps no earlier version on an install, as a host does whose committed version was not
        /// the one the coordinator recorded (say one a `--module` watch reported): a switch back
        /// withdraws the version and leaves none running.
        var keepsNothing = false
        /// Operations done, with whether they succeeded and the version then committed: a repeat
        /// is answered from here.
        var done: [OperationID: (succeeded: Bool, runs: String?)] = [:]
    }

    /// How unkind the world is, each a chance in 1,000 per event.
    struct Weather {
        var failoverPerStep: UInt64 = 0
        var lostProposal: UInt64 = 0
        var lostAnswer: UInt64 = 0
    }

    private struct PendingOrder {
        var due: UInt64
        var request: DeploymentDriver.OrderRequest
        var leadership: Int
    }

    private struct PendingProposal {
        var due: UInt64
        var key: String
        var command: FleetCommand
        var commits: Bool
        var leadership: Int
    }

    static let start: UInt64 = 1_750_000_000_000
    static let stepMilliseconds: UInt64 = 250

    var state = FleetState()
    var now = DriverWorld.start
    var hosts: [String: Host] = [:]
    var bad: String?
    var crashing: String?
    var weather = Weather()
    var failovers = 0
    /// The orders the driver placed in the last step, and those of this leadership not yet carried out.
    private(set) var placed: [DeploymentDriver.OrderRequest] = []
    var ordersInFlight: [DeploymentDriver.OrderRequest] { orders.filter { $0.leadership == leadership }.map(\.request) }
    private(set) var driver: DeploymentDriver
    private var random: SplitMix64
    private var leadership = 0
    private var orders: [PendingOrder] = []
    private var proposals: [PendingProposal] = []
    private let limits: DeploymentDriver.Limits

    init(seed: UInt64, nodes: Int, running version: String = "1.0.0") {
        random = SplitMix64(seed: seed)
        var limits = DeploymentDriver.Limits()
        limits.orderDeadlineMilliseconds = 20_000
        limits.proposalRetryMilliseconds = 2_000
        self.limits = limits
        driver = DeploymentDriver(limits: limits)
        for index in 0..<nodes { hosts["node-" + String(100 + index).dropFirst()] = Host(current: version) }
        for module in ["1.0.0", "2.0.0", "2.1.0"] {
            apply(.putModule(ModuleRecord(name: "web", version: module, sha256: [UInt8](repeating: 7, count: 32), byteCount: 1,
                                          manifest: Array("{\"format\":1}".utf8), uploadedBy: "alice",
                                          uploadedAtMilliseconds: DriverWorld.start)))
        }
    }

    /// Settings that let a wave pass in seconds: polls of 1 s, a minimum wait of 3 s.
    static var quickGate: GateSettings {
        var gate = GateSettings()
        gate.pollIntervalMilliseconds = 1_000
        gate.minimumWaitMilliseconds = 3_000
        gate.maximumWaitMilliseconds = 60_000
        return gate
    }

    /// A deployment of `web` `version` over every host in `environment`, planned by `WavePlanner`.
    mutating func deploy(_ id: String, version: String, strategy: RolloutStrategy = .canary, environment: String = "development",
                         gate: GateSettings = DriverWorld.quickGate, concurrency: UInt16 = 4) -> FleetOutcome? {
        let waves = WavePlanner.plan(nodes: hosts.keys.sorted(), strategy: strategy, parameters: StrategyParameters(rollingBatchSize: 2))
        let nodes = waves.enumerated().flatMap { wave, members in
            members.map { DeploymentNode(id: $0, wave: UInt16(wave), previousVersion: hosts[$0]?.current) }
        }
        return apply(.createDeployment(DeploymentRecord(
            id: id, module: "web", version: version, environment: environment, strategy: strategy, gate: gate,
            installConcurrency: concurrency, createdBy: "alice", createdAtMilliseconds: now,
            waves: Array(repeating: WaveRecord(), count: waves.count), nodes: nodes)))
    }

    @discardableResult
    mutating func apply(_ command: FleetCommand) -> FleetOutcome? {
        state.apply(command, at: state.appliedIndex + 1)
    }

    /// Runs until every deployment is terminal or `limit` simulated milliseconds passed; checks
    /// `invariant` after every step.
    mutating func run(forMilliseconds limit: UInt64, invariant: (FleetState) -> Void) {
        let end = now + limit
        while now < end {
            step()
            invariant(state)
            if isSettled { return }
        }
    }

    /// Every deployment terminal, and nothing in flight.
    var isSettled: Bool {
        state.deployments.values.allSatisfy { $0.state.isTerminal } && orders.isEmpty && proposals.isEmpty
    }

    mutating func step() {
        now += Self.stepMilliseconds
        placed = []
        if chance(weather.failoverPerStep) {
            failovers += 1
            leadership += 1
            driver = DeploymentDriver(limits: limits)
        }
        deliverProposals()
        deliverOrders()
        let versions = hosts.mapValues(\.current)
        let (bad, crashing) = (self.bad, self.crashing)
        let source = ReadingSource(
            reading: { node, _, _, to in
                DriverWorld.reading(node: node, version: versions[node] ?? nil, bad: bad, crashing: crashing, at: to)
            },
            earliestSample: { _ in DriverWorld.start })
        for action in driver.step(Array(state.deployments.values), nowMilliseconds: now, readings: source) {
            switch action {
            case let .propose(key, command):
                proposals.append(PendingProposal(due: now + 50 + random.next(below: 400), key: key, command: command,
                                                 commits: !chance(weather.lostProposal), leadership: leadership))
            case let .order(request):
                placed.append(request)
                orders.append(PendingOrder(due: now + 200 + random.next(below: 2_000), request: request, leadership: leadership))
            }
        }
    }

    private mutating func deliverProposals() {
        let due = proposals.filter { $0.due <= now }
        proposals.removeAll { $0.due <= now }
        for proposal in due {
            if proposal.commits { apply(proposal.command) }
            if proposal.leadership == leadership { driver.proposalAnswered(proposal.key) }
        }
    }

    private mutating func deliverOrders() {
        let due = orders.filter { $0.due <= now }
        orders.removeAll { $0.due <= now }
        for order in due {
            guard let host = hosts[order.request.key.node], !host.hung else { continue }
            let (succeeded, runs) = carryOut(order.request.operation, on: order.request.key.node)
            guard order.leadership == leadership else { continue }
            let ending: DeploymentDriver.OrderEnding = chance(weather.lostAnswer)
                ? .retry(detail: "no answer") : succeeded ? .succeeded(detail: "done", runs: runs) : .failed(detail: "failed")
            driver.orderEnded(order.request.key, ending, nowMilliseconds: now)
        }
    }

    /// What the host does with an operation: once; a repeat answers as the first time did. With
    /// whether it was done, the version the host runs now.
    private mutating func carryOut(_ operation: OperationID, on node: String) -> (Bool, String?) {
        if let done = hosts[node]?.done[operation] { return done }
        var host = hosts[node]!
        switch operation.kind {
        case let .install(version):
            if host.installFails {
                host.done[operation] = (false, host.current)
                hosts[node] = host
                return (false, host.current)
            }
            if host.current != version {
                host.retained = host.keepsNothing ? nil : host.current
                host.current = version
            }
        case let .switchBack(from):
            // Like InstallCore: with nothing retained, the version is withdrawn and none runs.
            if host.current == from {
                host.current = host.retained
                host.retained = nil
            }
        }
        host.done[operation] = (true, host.current)
        hosts[node] = host
        return (true, host.current)
    }

    private mutating func chance(_ perMille: UInt64) -> Bool {
        perMille > 0 && random.next(below: 1_000) < perMille
    }

    /// Three samples: host CPU near 40 % and memory near 50 % with a little jitter; the module's
    /// latency 20 ms, or 40 ms on the bad version; the module in none of them on a host that runs
    /// no version or the crashing one.
    static func reading(node: String, version: String?, bad: String?, crashing: String?, at time: UInt64) -> NodeReading? {
        var mix = SplitMix64(seed: time / 1_000 &* 31 &+ UInt64(truncatingIfNeeded: node.utf8.reduce(0) { $0 &* 131 &+ Int($1) }))
        let jitter = Double(mix.next(below: 100)) / 100 - 0.5
        var values = MetricValues([.hostCPU: 40 + jitter, .hostMemory: 50 + jitter])
        guard let version, version != crashing else { return NodeReading(values: values, samples: 3, samplesWithoutModule: 3) }
        values[.probeLatency] = (version == bad ? 40 : 20) + jitter
        values[.moduleCPU] = 5
        values[.moduleMemory] = 30
        return NodeReading(values: values, samples: 3)
    }
}
