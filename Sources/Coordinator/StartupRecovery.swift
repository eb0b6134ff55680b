import Cluster
import Consensus
import Fleet
import Observability
import Storage

/// What a coordinator restarts from, recovered from its data directory and
/// checked exactly as at start: the write-ahead log replayed (a torn tail cut,
/// mid-log corruption refused with the file and offset), the durable Raft
/// state validated, and the fleet state decoded from the snapshot.
/// `RaftService` starts from it and `hotswap data verify` reports it, so the
/// two can never disagree about whether a data directory is usable.
struct StartupRecovery {
    /// The Raft log's directory inside the data directory.
    static let raftSubdirectory = "raft"

    let store: RaftLogStore
    let state: PersistentState
    let details: RecoveredLog
    let fleet: FleetState

    /// Recovers the log in `dataDirectory`, its appends timed in `metrics` when given; the caller
    /// must hold its `DataDirectoryLock` for as long as `store` is open.
    static func run(dataDirectory: String, metrics: MetricsRegistry?) throws -> StartupRecovery {
        let (store, state, details) = try RaftLogStore.open(directory: "\(dataDirectory)/\(raftSubdirectory)", metrics: metrics)
        try state.validate()
        var fleet = FleetState()
        if let snapshot = state.snapshot {
            fleet = try ReplicationHalt.decodeState(snapshot.data, index: snapshot.metadata.index)
        }
        return StartupRecovery(store: store, state: state, details: details, fleet: fleet)
    }
}
