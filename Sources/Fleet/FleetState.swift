/// The replicated state machine of the coordinators. `apply` is pure and
/// deterministic: the same commands in the same order give the same state on
/// every replica. Later issues add nodes, modules, deployments, users, audit.
public struct FleetState: Sendable, Equatable {
    public private(set) var environments: [String: EnvironmentRecord]
    /// The Raft index of the last command applied; replaying an index is a no-op.
    public private(set) var appliedIndex: UInt64

    public static let environmentsMaximum = 64
    static let approvalTimeoutSecondsRange: ClosedRange<UInt32> = 60...(30 * 24 * 3600)

    public init() {
        environments = Dictionary(uniqueKeysWithValues: EnvironmentRecord.defaults.map { ($0.name, $0) })
        appliedIndex = 0
    }

    init(environments: [String: EnvironmentRecord], appliedIndex: UInt64) {
        self.environments = environments
        self.appliedIndex = appliedIndex
    }

    /// Environments sorted by name, for listings.
    public var sortedEnvironments: [EnvironmentRecord] {
        environments.values.sorted { $0.name < $1.name }
    }

    /// Applies the command at Raft `index`. Indices must increase; an index at
    /// or below `appliedIndex` was applied already and changes nothing.
    @discardableResult
    public mutating func apply(_ command: FleetCommand, at index: UInt64) -> FleetOutcome? {
        guard index > appliedIndex else { return nil }
        appliedIndex = index
        let outcome = decide(command)
        assert(environments.count <= Self.environmentsMaximum, "environment table over its bound")
        return outcome
    }

    /// Marks `index` applied when its entry carried no fleet command (a Raft no-op or configuration entry).
    public mutating func skip(_ index: UInt64) {
        if index > appliedIndex { appliedIndex = index }
    }

    private mutating func decide(_ command: FleetCommand) -> FleetOutcome {
        switch command {
        case let .putEnvironment(record):
            guard EnvironmentRecord.isValidName(record.name) else { return .rejected(.invalidName(record.name)) }
            guard Self.approvalTimeoutSecondsRange.contains(record.approvalTimeoutSeconds) else {
                return .rejected(.invalidApprovalTimeout(record.approvalTimeoutSeconds))
            }
            let created = environments[record.name] == nil
            if created, environments.count >= Self.environmentsMaximum {
                return .rejected(.tooManyEnvironments(maximum: Self.environmentsMaximum))
            }
            environments[record.name] = record
            return .environmentStored(record, created: created)
        case let .deleteEnvironment(name):
            guard environments.removeValue(forKey: name) != nil else { return .rejected(.notFound(name)) }
            return .environmentDeleted(name: name)
        }
    }
}
