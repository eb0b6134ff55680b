import HostInstall

/// What an agent says first on every connection: who it claims to be (the
/// coordinator believes its certificate, and closes the connection when the
/// two differ), the inventory the fleet should record, and the newest
/// leader term it has seen.
public struct AgentHello: Equatable, Sendable {
    public var nodeName: String
    /// Chosen at agent start; report sequence numbers restart with it.
    public var incarnation: UInt64
    public var highestSeenTerm: UInt64
    public var reportIntervalMilliseconds: UInt32
    public var environment: String
    public var labels: [String: String]
    /// Module name → version running on the node.
    public var moduleVersions: [String: String]
    /// The leader this agent was attached to until it lost the connection;
    /// nil on an agent's first connection and after any welcome. A follower
    /// that still names this leader in this term holds the hello.
    public var formerLeader: FormerLeader?

    public init(nodeName: String, incarnation: UInt64, highestSeenTerm: UInt64, reportIntervalMilliseconds: UInt32,
                environment: String, labels: [String: String] = [:], moduleVersions: [String: String] = [:],
                formerLeader: FormerLeader? = nil) {
        self.nodeName = nodeName
        self.incarnation = incarnation
        self.highestSeenTerm = highestSeenTerm
        self.reportIntervalMilliseconds = reportIntervalMilliseconds
        self.environment = environment
        self.labels = labels
        self.moduleVersions = moduleVersions
        self.formerLeader = formerLeader
    }
}

/// A leader an agent lost: its name and term.
public struct FormerLeader: Equatable, Sendable {
    public var name: String
    public var term: UInt64

    public init(name: String, term: UInt64) {
        self.name = name
        self.term = term
    }
}

/// The leader accepts the agent: its term (fencing) and name, and the last
/// sequence of this incarnation it already holds, so the agent resends only
/// what the leader lacks (0: nothing yet).
public struct AgentWelcome: Equatable, Sendable {
    public var leaderTerm: UInt64
    public var leaderName: String
    public var acknowledgedSequence: UInt64

    public init(leaderTerm: UInt64, leaderName: String, acknowledgedSequence: UInt64) {
        self.leaderTerm = leaderTerm
        self.leaderName = leaderName
        self.acknowledgedSequence = acknowledgedSequence
    }
}

/// A coordinator that is not the acting leader sends the agent on: to the
/// leader's agent address when it knows one (empty otherwise: try the next
/// coordinator). The connection closes after it.
public struct AgentRedirect: Equatable, Sendable {
    public var term: UInt64
    public var leaderName: String
    public var leaderAgentAddress: String

    public init(term: UInt64, leaderName: String, leaderAgentAddress: String) {
        self.term = term
        self.leaderName = leaderName
        self.leaderAgentAddress = leaderAgentAddress
    }
}

/// An order from the leader. The agent carries it out only if `leaderTerm`
/// is at least the highest term it has seen, and answers with a result.
public struct AgentCommand: Equatable, Sendable {
    public enum Action: Equatable, Sendable {
        case setReportInterval(milliseconds: UInt32)
        /// Install a module version or switch back from one (`ModuleOrder`); the result
        /// carries the host's `InstallResult`.
        case module(ModuleOrder)
    }

    public var leaderTerm: UInt64
    public var commandID: UInt64
    public var action: Action

    public init(leaderTerm: UInt64, commandID: UInt64, action: Action) {
        self.leaderTerm = leaderTerm
        self.commandID = commandID
        self.action = action
    }
}

/// The agent's answer to a command: carried out, or refused and why (a
/// lower term, an unsupported action, a value out of range). A module order's
/// answer also carries the host's `InstallResult` once the agent has one.
public struct AgentCommandResult: Equatable, Sendable {
    public var commandID: UInt64
    public var accepted: Bool
    public var detail: String
    public var install: InstallResult?

    public init(commandID: UInt64, accepted: Bool, detail: String, install: InstallResult? = nil) {
        self.commandID = commandID
        self.accepted = accepted
        self.detail = detail
        self.install = install
    }
}

/// Bounds every agent session message respects.
public enum AgentSessionLimits {
    public static let nameBytesMaximum = 64
    public static let textBytesMaximum = 256
    public static let labelsMaximum = 32
    public static let modulesMaximum = 64
    public static let reportIntervalMilliseconds: ClosedRange<UInt32> = 100...3_600_000
}
