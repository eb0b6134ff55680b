import Cluster
import Consensus
import Observability
import Primitives
import Storage
import Transport

/// Persists what Raft hands out (entries, hard state, snapshots) in the
/// write-ahead log and turns a recovered log back into Raft's `PersistentState`.
struct RaftLogStore {
    /// Bucket upper bounds of `hotswap_wal_append_duration_seconds`: a local SSD appends and syncs
    /// a batch in well under a millisecond, a busy disk or a network volume in tens to hundreds.
    static let appendBucketsSeconds: [Double] = [
        0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
    ]

    let wal: WriteAheadLog
    /// Times each whole append of a batch (encode, write, segment roll, fdatasync); nil where nothing is
    /// scraped (`hotswap data verify`).
    let appendSeconds: Histogram?

    /// Opens the log in `directory`, timing each batch it appends in `metrics` when given.
    static func open(directory: String, metrics: MetricsRegistry?) throws -> (RaftLogStore, PersistentState, RecoveredLog) {
        let (wal, recovered) = try WriteAheadLog.open(directory: directory)
        var state = PersistentState()
        if let hard = recovered.hardState {
            state.hardState = HardState(term: hard.term, vote: hard.votedFor, commit: hard.commitIndex)
        }
        if let snapshot = recovered.snapshot {
            let membership = try MembershipCodec.decode(snapshot.configuration)
            state.snapshot = Snapshot(metadata: SnapshotMetadata(index: snapshot.index, term: snapshot.term,
                                                                 membership: membership), data: snapshot.data)
        }
        state.entries = try recovered.entries.map { record in
            guard let kind = EntryKind(rawValue: record.kind) else {
                throw BinaryDecodingError.invalidValue(offset: 0, detail: "entry \(record.index) has unknown kind \(record.kind)")
            }
            return Entry(term: record.term, index: record.index, kind: kind, data: record.data)
        }
        let appendSeconds = metrics?.histogram(
            "hotswap_wal_append_duration_seconds",
            help: "Time to append one write-ahead-log batch: encode, write, segment roll and fdatasync, which Raft waits for.",
            buckets: Self.appendBucketsSeconds)
        return (RaftLogStore(wal: wal, appendSeconds: appendSeconds), state, recovered)
    }

    /// Makes the Ready's entries and hard state durable (fsync) before anything is sent.
    func persist(_ ready: Ready) throws(StorageError) {
        if let snapshot = ready.snapshotToPersist { try save(snapshot) }
        guard !ready.entriesToPersist.isEmpty || ready.hardState != nil else { return }
        let records = ready.entriesToPersist.map {
            LogEntryRecord(index: $0.index, term: $0.term, kind: $0.kind.rawValue, data: $0.data)
        }
        let hard = ready.hardState.map { HardStateRecord(term: $0.term, votedFor: $0.vote, commitIndex: $0.commit) }
        let startedAt = MonotonicInstant.now()
        if try wal.append(entries: records, hardState: hard) {
            appendSeconds?.observe(Double(startedAt.duration(until: .now()).wholeNanoseconds) / 1e9)
        }
    }

    func save(_ snapshot: Snapshot) throws(StorageError) {
        try wal.saveSnapshot(SnapshotRecord(index: snapshot.metadata.index, term: snapshot.metadata.term,
                                            configuration: MembershipCodec.encode(snapshot.metadata.membership),
                                            data: snapshot.data))
    }
}
