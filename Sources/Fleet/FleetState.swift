/// The replicated state machine of the coordinators. `apply` is pure and
/// deterministic: the same commands in the same order give the same state on
/// every replica. Later issues add nodes, modules, deployments, users, audit.
public struct FleetState: Sendable, Equatable {
    public private(set) var environments: [String: EnvironmentRecord]
    /// Coordinators added after the founding, by name.
    public private(set) var members: [String: ClusterMemberRecord]
    /// The Raft index of the last command applied; replaying an index is a no-op.
    public private(set) var appliedIndex: UInt64

    public static let environmentsMaximum = 64
    public static let membersMaximum = 16
    static let approvalTimeoutSecondsRange: ClosedRange<UInt32> = 60...(30 * 24 * 3600)

    public init() {
        environments = Dictionary(uniqueKeysWithValues: EnvironmentRecord.defaults.map { ($0.name, $0) })
        members = [:]
        appliedIndex = 0
    }

    init(environments: [String: EnvironmentRecord], members: [String: ClusterMemberRecord], appliedIndex: UInt64) {
        self.environments = environments
        self.members = members
        self.appliedIndex = appliedIndex
    }

    /// Environments sorted by name, for listings.
    public var sortedEnvironments: [EnvironmentRecord] {
        environments.values.sorted { $0.name < $1.name }
    }

    /// Registered members sorted by name.
    public var sortedMembers: [ClusterMemberRecord] {
        members.values.sorted { $0.name < $1.name }
    }

    /// Applies the command at Raft `index`. Indices must increase; an index at
    /// or below `appliedIndex` was applied already and changes nothing.
    @discardableResult
    public mutating func apply(_ command: FleetCommand, at index: UInt64) -> FleetOutcome? {
        guard index > appliedIndex else { return nil }
        appliedIndex = index
        let outcome = decide(command)
        assert(environments.count <= Self.environmentsMaximum, "environment table over its bound")
        assert(members.count <= Self.membersMaximum, "member table over its bound")
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
        case let .putMember(record):
            if members[record.name] == nil, members.count >= Self.membersMaximum {
                return .rejected(.tooManyMembers(maximum: Self.membersMaximum))
            }
            members[record.name] = record
            return .memberStored(record)
        case let .deleteMember(name):
            members[name] = nil
            return .memberDeleted(name: name)
        }
    }
}
