import Cluster
import Consensus
import Primitives
import Storage

/// Persists what Raft hands out (entries, hard state, snapshots) in the
/// write-ahead log and turns a recovered log back into Raft's `PersistentState`.
struct RaftLogStore {
    let wal: WriteAheadLog

    static func open(directory: String) throws -> (RaftLogStore, PersistentState, RecoveredLog) {
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
        return (RaftLogStore(wal: wal), state, recovered)
    }

    /// Makes the Ready's entries and hard state durable (fsync) before anything is sent.
    func persist(_ ready: Ready) throws(StorageError) {
        if let snapshot = ready.snapshotToPersist { try save(snapshot) }
        guard !ready.entriesToPersist.isEmpty || ready.hardState != nil else { return }
        let records = ready.entriesToPersist.map {
            LogEntryRecord(index: $0.index, term: $0.term, kind: $0.kind.rawValue, data: $0.data)
        }
        let hard = ready.hardState.map { HardStateRecord(term: $0.term, votedFor: $0.vote, commitIndex: $0.commit) }
        try wal.append(entries: records, hardState: hard)
    }

    func save(_ snapshot: Snapshot) throws(StorageError) {
        try wal.saveSnapshot(SnapshotRecord(index: snapshot.metadata.index, term: snapshot.metadata.term,
                                            configuration: MembershipCodec.encode(snapshot.metadata.membership),
                                            data: snapshot.data))
    }
}
