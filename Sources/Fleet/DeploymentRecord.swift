import Rollout

/// One rollout of a module version across an environment's nodes (Docs/DEPLOYMENTS.md, "Replicated
/// deployments"): the plan the leader computed (waves of nodes, each node's previous version), the
/// settings it runs with, and where it is. Every transition is a command in the replicated log, so a
/// new leader resumes each running deployment from here.
public struct DeploymentRecord: Sendable, Equatable {
    /// Made by the leader: `[a-z0-9-]{1,40}`.
    public var id: String
    public var module: String
    public var version: String
    public var environment: String
    public var strategy: RolloutStrategy
    public var parameters: StrategyParameters
    public var gate: GateSettings
    /// Nodes installing at once: the driver's bound (1 to 1,024).
    public var installConcurrency: UInt16
    /// The user who asked for it.
    public var createdBy: String
    public var createdAtMilliseconds: UInt64
    public var state: DeploymentState
    /// Why the last transition happened (at most 256 bytes).
    public var stateReason: String
    /// Nil when the environment asks for no approval.
    public var approval: ApprovalRecord?
    public var waves: [WaveRecord]
    /// Every node of the plan once; a wave's nodes, in this order, are the order of its gate's polls.
    public var nodes: [DeploymentNode]
    /// When it reached a terminal state.
    public var finishedAtMilliseconds: UInt64?
    /// When it was paused (by a user, a failed install or a failed gate); nil while not paused.
    public var pausedAtMilliseconds: UInt64?

    public static let idBytesMaximum = 40
    public static let wavesMaximum = 64
    public static let installConcurrencyRange: ClosedRange<UInt16> = 1...1_024
    public static let textBytesMaximum = FleetCodec.textBytesMaximum

    public init(id: String, module: String, version: String, environment: String, strategy: RolloutStrategy,
                parameters: StrategyParameters = StrategyParameters(), gate: GateSettings = GateSettings(),
                installConcurrency: UInt16 = 16, createdBy: String, createdAtMilliseconds: UInt64,
                state: DeploymentState = .running, stateReason: String = "", approval: ApprovalRecord? = nil,
                waves: [WaveRecord], nodes: [DeploymentNode], finishedAtMilliseconds: UInt64? = nil,
                pausedAtMilliseconds: UInt64? = nil) {
        self.id = id
        self.module = module
        self.version = version
        self.environment = environment
        self.strategy = strategy
        self.parameters = parameters
        self.gate = gate
        self.installConcurrency = installConcurrency
        self.createdBy = createdBy
        self.createdAtMilliseconds = createdAtMilliseconds
        self.state = state
        self.stateReason = stateReason
        self.approval = approval
        self.waves = waves
        self.nodes = nodes
        self.finishedAtMilliseconds = finishedAtMilliseconds
        self.pausedAtMilliseconds = pausedAtMilliseconds
    }

    /// `[a-z0-9-]{1,40}`.
    public static func isValidID(_ id: String) -> Bool {
        let bytes = Array(id.utf8)
        return (1...idBytesMaximum).contains(bytes.count)
            && bytes.allSatisfy { ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 45 }
    }

    /// The positions in `nodes` of wave `wave`'s nodes, in order.
    public func nodeIndices(ofWave wave: Int) -> [Int] {
        nodes.indices.filter { Int(nodes[$0].wave) == wave }
    }

    /// The wave being installed or gated, if any.
    public var activeWave: Int? {
        waves.firstIndex { $0.state == .installing || $0.state == .gating }
    }

    /// Why the state may not hold this plan, or nil: the id, texts and settings within their bounds,
    /// 1 to 64 waves, 1 to `FleetState.nodesMaximum` nodes, each once, in a wave that exists, and
    /// no wave without a node.
    public var invalidity: String? {
        if !Self.isValidID(id) { return "id '\(id)' must match [a-z0-9-]{1,\(Self.idBytesMaximum)}" }
        let texts = [module, version, environment, createdBy, stateReason]
        if texts.contains(where: { $0.utf8.count > Self.textBytesMaximum }) { return "a text over \(Self.textBytesMaximum) bytes" }
        if createdBy.isEmpty { return "no creator" }
        if let refusal = parameters.refusal() ?? gate.refusal() { return refusal }
        if !Self.installConcurrencyRange.contains(installConcurrency) { return "install concurrency must be 1 to 1,024" }
        guard (1...Self.wavesMaximum).contains(waves.count) else { return "1 to \(Self.wavesMaximum) waves, not \(waves.count)" }
        guard (1...FleetState.nodesMaximum).contains(nodes.count) else {
            return "1 to \(FleetState.nodesMaximum) nodes, not \(nodes.count)"
        }
        var seen = Set<String>()
        var perWave = [Int](repeating: 0, count: waves.count)
        for node in nodes {
            if node.id.isEmpty || [node.id, node.previousVersion ?? "", node.detail].contains(where: {
                $0.utf8.count > Self.textBytesMaximum
            }) {
                return "a node id must be 1 to \(Self.textBytesMaximum) bytes"
            }
            guard seen.insert(node.id).inserted else { return "node '\(node.id)' is planned twice" }
            guard Int(node.wave) < waves.count else { return "node '\(node.id)' is in wave \(node.wave) of \(waves.count)" }
            perWave[Int(node.wave)] += 1
        }
        if let empty = perWave.firstIndex(of: 0) { return "wave \(empty) has no node" }
        return nil
    }
}

/// Where a deployment is. Raw values are stored: never reuse one.
public enum DeploymentState: UInt8, Sendable, CaseIterable, CustomStringConvertible {
    case awaitingApproval = 1
    case running = 2
    case paused = 3
    case rollingBack = 4
    case succeeded = 5
    case rolledBack = 6
    case aborted = 7
    case failed = 8

    /// Succeeded, rolled back, aborted or failed: nothing moves it any more.
    public var isTerminal: Bool {
        switch self {
        case .awaitingApproval, .running, .paused, .rollingBack: false
        case .succeeded, .rolledBack, .aborted, .failed: true
        }
    }

    /// The API's word for it.
    public var description: String {
        switch self {
        case .awaitingApproval: "awaiting_approval"
        case .running: "running"
        case .paused: "paused"
        case .rollingBack: "rolling_back"
        case .succeeded: "succeeded"
        case .rolledBack: "rolled_back"
        case .aborted: "aborted"
        case .failed: "failed"
        }
    }
}
