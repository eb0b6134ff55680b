import Rollout

/// A deployment as its summary shows it (`GET /api/v1/deployments`, a control's answer): what it
/// deploys where, its state and why, its approval and its progress, without its settings, waves or
/// nodes. A leader answers a control or an approval decision that a follower forwarded with this
/// (`FleetOutcome.deploymentSummarized`), so the answer's size does not grow with the fleet.
public struct DeploymentHeadline: Sendable, Equatable {
    public var id: String
    public var module: String
    public var version: String
    public var environment: String
    public var strategy: RolloutStrategy
    public var state: DeploymentState
    public var stateReason: String
    public var createdBy: String
    public var createdAtMilliseconds: UInt64
    public var finishedAtMilliseconds: UInt64?
    public var approval: ApprovalRecord?
    public var waveCount: Int
    public var wavesPassed: Int
    public var activeWave: Int?
    public var nodeCount: Int

    public init(_ record: DeploymentRecord) {
        self.init(id: record.id, module: record.module, version: record.version, environment: record.environment,
                  strategy: record.strategy, state: record.state, stateReason: record.stateReason, createdBy: record.createdBy,
                  createdAtMilliseconds: record.createdAtMilliseconds, finishedAtMilliseconds: record.finishedAtMilliseconds,
                  approval: record.approval, waveCount: record.waves.count, wavesPassed: record.waves.count { $0.state == .passed },
                  activeWave: record.activeWave, nodeCount: record.nodes.count)
    }

    public init(id: String, module: String, version: String, environment: String, strategy: RolloutStrategy,
                state: DeploymentState, stateReason: String, createdBy: String, createdAtMilliseconds: UInt64,
                finishedAtMilliseconds: UInt64?, approval: ApprovalRecord?, waveCount: Int, wavesPassed: Int, activeWave: Int?,
                nodeCount: Int) {
        self.id = id
        self.module = module
        self.version = version
        self.environment = environment
        self.strategy = strategy
        self.state = state
        self.stateReason = stateReason
        self.createdBy = createdBy
        self.createdAtMilliseconds = createdAtMilliseconds
        self.finishedAtMilliseconds = finishedAtMilliseconds
        self.approval = approval
        self.waveCount = waveCount
        self.wavesPassed = wavesPassed
        self.activeWave = activeWave
        self.nodeCount = nodeCount
    }
}
