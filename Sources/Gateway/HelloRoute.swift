import Telemetry

/// What a coordinator does with an agent's hello, given what it knows of the
/// leadership: welcome it (acting leader), point it at the leader, or hold
/// it until an election ends. Holding is what keeps a re-attaching fleet
/// from bouncing: an agent that just lost its leader reaches a follower that
/// has not yet noticed (it still names the dead leader) or that knows no
/// leader mid-election; sending it away then costs it a backoff, so the
/// follower keeps the hello, bounded in time, until it can name the new one.
public enum HelloRoute: Equatable, Sendable {
    case admit
    case redirect
    case hold

    /// What this coordinator knows when the hello (or a held one) is decided.
    public struct Knowledge: Equatable, Sendable {
        public var isActingLeader: Bool
        /// Elected in `term` but not acting yet (its lease is not established).
        public var isLeader: Bool
        public var term: UInt64
        public var leaderName: String?
        /// The leader's published agent address; empty when unknown.
        public var leaderAgentAddress: String

        public init(isActingLeader: Bool, isLeader: Bool, term: UInt64, leaderName: String?, leaderAgentAddress: String) {
            self.isActingLeader = isActingLeader
            self.isLeader = isLeader
            self.term = term
            self.leaderName = leaderName
            self.leaderAgentAddress = leaderAgentAddress
        }
    }

    /// Once `holdExpired`, a hello is never held again: the agent gets the
    /// best answer there is, even an empty redirect, and decides for itself.
    public static func decide(_ knowledge: Knowledge, formerLeader: FormerLeader?, holdExpired: Bool) -> HelloRoute {
        if knowledge.isActingLeader { return .admit }
        if holdExpired { return .redirect }
        if knowledge.isLeader { return .hold }
        guard let leader = knowledge.leaderName, !knowledge.leaderAgentAddress.isEmpty else { return .hold }
        if let formerLeader, formerLeader.name == leader, formerLeader.term >= knowledge.term { return .hold }
        return .redirect
    }
}
