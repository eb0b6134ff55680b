/// How one node runs the protocol. Time is counted in ticks: the caller calls `tick()` at a
/// fixed nominal interval, and `clockDriftBoundPercent` bounds how far any node's tick rate may
/// stray from it. All nodes of a cluster must share `electionTimeoutTicks` and the drift bound.
public struct RaftConfiguration: Sendable, Equatable {
    /// The smallest election timeout that leaves the lease at least one tick (see `Lease`).
    public static let electionTimeoutTicksMinimum = 3
    public static let electionTimeoutTicksMaximum = 1 << 20
    public static let inflightMessagesMaximumLimit = 1 << 16

    public var id: NodeID
    /// T: a follower campaigns after a random timeout in [T, 2T) ticks without a leader, and
    /// refuses votes for T ticks after it last heard from one.
    public var electionTimeoutTicks: Int
    public var heartbeatIntervalTicks: Int
    public var preVote: Bool
    /// A leader that has not heard from a quorum within `electionTimeoutTicks` steps down.
    public var checkQuorum: Bool
    /// Append messages in flight to one follower before the leader waits for acknowledgements.
    public var inflightMessagesMaximum: Int
    /// Entry bytes in flight to one follower before the leader waits for acknowledgements.
    public var inflightBytesMaximum: Int
    /// Entry bytes per append message; also the largest proposal. Snapshots are not limited.
    public var messageBytesMaximum: Int
    /// Entry bytes a leader holds uncommitted before it refuses proposals.
    public var uncommittedBytesMaximum: Int
    /// The bound on clock rate error, in percent, that the lease is computed for.
    public var clockDriftBoundPercent: Int
    /// Seeds this node's election-timeout generator (mixed with `id`).
    public var randomSeed: UInt64

    public init(
        id: NodeID,
        electionTimeoutTicks: Int = 10,
        heartbeatIntervalTicks: Int = 1,
        preVote: Bool = true,
        checkQuorum: Bool = true,
        inflightMessagesMaximum: Int = 256,
        inflightBytesMaximum: Int = 8 << 20,
        messageBytesMaximum: Int = 1 << 20,
        uncommittedBytesMaximum: Int = 64 << 20,
        clockDriftBoundPercent: Int = 10,
        randomSeed: UInt64 = 0
    ) {
        self.id = id
        self.electionTimeoutTicks = electionTimeoutTicks
        self.heartbeatIntervalTicks = heartbeatIntervalTicks
        self.preVote = preVote
        self.checkQuorum = checkQuorum
        self.inflightMessagesMaximum = inflightMessagesMaximum
        self.inflightBytesMaximum = inflightBytesMaximum
        self.messageBytesMaximum = messageBytesMaximum
        self.uncommittedBytesMaximum = uncommittedBytesMaximum
        self.clockDriftBoundPercent = clockDriftBoundPercent
        self.randomSeed = randomSeed
    }

    /// How long a lease lasts after the quorum-acknowledged send tick (see `Lease`).
    public var leaseDurationTicks: Int {
        Lease.durationTicks(electionTimeoutTicks: electionTimeoutTicks, clockDriftBoundPercent: clockDriftBoundPercent)
    }

    func validate() throws(StartupError) {
        func require(_ condition: Bool, _ reason: String) throws(StartupError) {
            if !condition { throw .invalidConfiguration(reason) }
        }
        try require(id != .none, "id must be positive (0 means no node)")
        try require(
            (0..<100).contains(clockDriftBoundPercent),
            "clockDriftBoundPercent must be in 0..<100, got \(clockDriftBoundPercent)")
        try require(
            (Self.electionTimeoutTicksMinimum...Self.electionTimeoutTicksMaximum).contains(electionTimeoutTicks),
            "electionTimeoutTicks must be in \(Self.electionTimeoutTicksMinimum)...\(Self.electionTimeoutTicksMaximum), "
                + "got \(electionTimeoutTicks)")
        try require(
            heartbeatIntervalTicks >= 1 && heartbeatIntervalTicks < electionTimeoutTicks,
            "heartbeatIntervalTicks must be at least 1 and below electionTimeoutTicks")
        try require(
            leaseDurationTicks >= 1 && heartbeatIntervalTicks < leaseDurationTicks,
            "the lease (\(leaseDurationTicks) ticks for electionTimeoutTicks \(electionTimeoutTicks) and drift \(clockDriftBoundPercent)%) "
                + "must outlast one heartbeat interval; raise electionTimeoutTicks")
        try require(
            (1...Self.inflightMessagesMaximumLimit).contains(inflightMessagesMaximum),
            "inflightMessagesMaximum must be in 1...\(Self.inflightMessagesMaximumLimit)")
        try require(inflightBytesMaximum >= 1, "inflightBytesMaximum must be positive")
        try require(messageBytesMaximum > Entry.overheadBytes, "messageBytesMaximum must exceed \(Entry.overheadBytes)")
        try require(
            uncommittedBytesMaximum >= messageBytesMaximum,
            "uncommittedBytesMaximum must be at least messageBytesMaximum")
    }
}
