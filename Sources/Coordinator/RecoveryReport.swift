import Cluster
import Consensus
import Storage
import Wire

/// What a coordinator's start-up recovery found in a data directory, as
/// `hotswap data verify` prints it: the log's extent, the durable hard
/// state, the snapshot it starts from, what was cut or skipped, the
/// segment files the log now consists of, and the founding members.
public struct RecoveryReport: Sendable {
    /// One segment file after recovery and its size.
    public struct Segment: Sendable {
        public let path: String
        public let bytes: Int
    }

    public let dataDirectory: String
    /// The first entry after the snapshot (snapshot index + 1 when the log is empty).
    public let firstIndex: UInt64
    /// The last entry (the snapshot's index when no entry follows it).
    public let lastIndex: UInt64
    public let entryCount: Int
    public let term: UInt64
    /// The node voted for in `term`; 0 when none.
    public let vote: UInt64
    public let commitIndex: UInt64
    /// 0 when there is no snapshot.
    public let snapshotIndex: UInt64
    public let snapshotTerm: UInt64
    /// Bytes of a torn tail cut from the last segment (0 when it was clean).
    public let truncatedTailBytes: Int
    /// Snapshot files passed over as invalid, each as "PATH: reason".
    public let skippedSnapshots: [String]
    /// Oldest first; the last is the fresh segment recovery started.
    public let segments: [Segment]
    /// How the directory's member first started (`FoundingRecord`).
    public struct Founding: Sendable {
        /// `new` or `existing`, as `--initial-cluster-state` spells it.
        public let mode: String
        /// As `--initial-cluster` spells them.
        public let members: String
        /// The cluster identity: 16 hex digits, `joining` or `none` (Docs/CLUSTER.md, "Cluster identity").
        public let cluster: String
    }

    /// Nil for a directory from before the record.
    public let founding: Founding?

    init(dataDirectory: String, state: PersistentState, details: RecoveredLog, segments: [Segment],
         founding: FoundingRecord?) {
        self.dataDirectory = dataDirectory
        snapshotIndex = state.snapshot?.metadata.index ?? 0
        snapshotTerm = state.snapshot?.metadata.term ?? 0
        firstIndex = state.entries.first?.index ?? snapshotIndex + 1
        lastIndex = state.entries.last?.index ?? snapshotIndex
        entryCount = state.entries.count
        term = state.hardState.term
        vote = state.hardState.vote
        commitIndex = state.hardState.commit
        truncatedTailBytes = details.truncatedTailBytes
        skippedSnapshots = details.skippedSnapshots
        self.segments = segments
        self.founding = founding.map { Founding(mode: $0.mode, members: $0.topology.flagText, cluster: "\($0.identity)") }
    }

    /// One JSON object. Node ids are strings, as in the cluster API: they are
    /// 64-bit hashes, beyond what a JSON number keeps exactly.
    public var json: String {
        let segmentObjects = segments.map { "{\"path\":\(JSONText.quoted($0.path)),\"bytes\":\($0.bytes)}" }
        return "{\"dataDirectory\":\(JSONText.quoted(dataDirectory)),"
            + "\"firstIndex\":\(firstIndex),\"lastIndex\":\(lastIndex),\"entryCount\":\(entryCount),"
            + "\"hardState\":{\"term\":\(term),\"vote\":\(vote == 0 ? "null" : "\"\(vote)\""),\"commit\":\(commitIndex)},"
            + "\"snapshot\":{\"index\":\(snapshotIndex),\"term\":\(snapshotTerm)},"
            + "\"truncatedTailBytes\":\(truncatedTailBytes),"
            + "\"skippedSnapshots\":[\(skippedSnapshots.map(JSONText.quoted).joined(separator: ","))],"
            + "\"segments\":[\(segmentObjects.joined(separator: ","))],"
            + "\"founding\":" + (founding.map {
                "{\"mode\":\(JSONText.quoted($0.mode)),\"members\":\(JSONText.quoted($0.members)),"
                    + "\"cluster\":\(JSONText.quoted($0.cluster))}" } ?? "null") + "}"
    }
}
