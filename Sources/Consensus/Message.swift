/// What a message asks or answers.
public enum MessageKind: UInt8, Sendable, Equatable, CustomStringConvertible {
    case preVote = 0
    case preVoteResponse = 1
    case vote = 2
    case voteResponse = 3
    case append = 4
    case appendResponse = 5
    case heartbeat = 6
    case heartbeatResponse = 7
    case snapshot = 8
    case timeoutNow = 9
    case readIndex = 10
    case readIndexResponse = 11

    var isVoteRequest: Bool { self == .vote || self == .preVote }

    /// Messages only a leader of the message's term sends.
    var isFromLeader: Bool { self == .append || self == .heartbeat || self == .snapshot }

    public var description: String {
        switch self {
        case .preVote: "preVote"
        case .preVoteResponse: "preVoteResponse"
        case .vote: "vote"
        case .voteResponse: "voteResponse"
        case .append: "append"
        case .appendResponse: "appendResponse"
        case .heartbeat: "heartbeat"
        case .heartbeatResponse: "heartbeatResponse"
        case .snapshot: "snapshot"
        case .timeoutNow: "timeoutNow"
        case .readIndex: "readIndex"
        case .readIndexResponse: "readIndexResponse"
        }
    }
}

/// One message between two nodes. Which fields matter depends on `kind`, as in etcd's raftpb:
///
/// - append: `index`/`logTerm` locate the entry preceding `entries`; `commit` is the leader's.
/// - appendResponse: `index` is the follower's last matching index, or (on `reject`) the index
///   it rejected, with `rejectHint`/`logTerm` pointing at where the leader should probe next.
/// - vote, preVote: `index`/`logTerm` describe the candidate's last entry.
/// - heartbeat(Response), readIndex(Response): `context` carries a read request's identity.
/// - `leaseTick`: the leader's tick count when it sent an append, heartbeat or snapshot, echoed
///   in the response; the leader's lease is measured from it.
public struct Message: Sendable, Equatable {
    public var kind: MessageKind
    public var from: NodeID
    public var to: NodeID
    public var term: UInt64
    public var logTerm: UInt64
    public var index: UInt64
    public var entries: [Entry]
    public var commit: UInt64
    public var reject: Bool
    public var rejectHint: UInt64
    public var snapshot: Snapshot?
    public var context: [UInt8]
    public var leaseTick: UInt64
    /// A vote request sent because the leader asked this candidate to take over (`timeoutNow`):
    /// voters grant it even while they still hear from that leader.
    public var isLeadershipTransfer: Bool

    public init(
        kind: MessageKind, from: NodeID, to: NodeID, term: UInt64,
        logTerm: UInt64 = 0, index: UInt64 = 0, entries: [Entry] = [], commit: UInt64 = 0,
        reject: Bool = false, rejectHint: UInt64 = 0, snapshot: Snapshot? = nil,
        context: [UInt8] = [], leaseTick: UInt64 = 0, isLeadershipTransfer: Bool = false
    ) {
        self.kind = kind
        self.from = from
        self.to = to
        self.term = term
        self.logTerm = logTerm
        self.index = index
        self.entries = entries
        self.commit = commit
        self.reject = reject
        self.rejectHint = rejectHint
        self.snapshot = snapshot
        self.context = context
        self.leaseTick = leaseTick
        self.isLeadershipTransfer = isLeadershipTransfer
    }
}
