import Cluster
import Consensus
import FileSystem
import Fleet
import Glibc
import Storage

/// `hotswap snapshot restore`: makes the data directory of one member of a new cluster from a
/// saved snapshot (Docs/STORAGE.md, "Saved snapshots"). Everything is checked before anything is
/// written: the file (`SavedSnapshotFile`), the member's name in `--initial-cluster`, and an
/// absent or empty directory. It then writes what a coordinator starts from: the write-ahead log
/// with the snapshot at the saved index and term, whose membership is the new cluster's voters,
/// a hard state committing it, and the founding record (`new`, the given members) with the new
/// cluster's identity, derived from the members, `token` and the file's SHA-256: every member
/// restored from the same file with the same flags gets the same identity, which the saved
/// cluster's never is, so the two never exchange a Raft message.
public enum SnapshotRestore {
    /// What was written, for the command's report.
    public struct Report: Sendable {
        public let dataDirectory: String
        public let index: UInt64
        public let term: UInt64
        public let members: String
        public let identity: ClusterIdentity
    }

    public static func run(file path: String, dataDirectory: String, name: String, initialCluster: String,
                           token: String = "") throws -> Report {
        let saved = try SavedSnapshotFile.read(path)
        let topology = try ClusterTopology.parse(initialCluster)
        guard topology.member(named: name) != nil else {
            throw DataDirectory.Failure(description: "--name \(name) is not one of --initial-cluster \(topology.flagText)")
        }
        try requireEmpty(dataDirectory)
        try DataDirectory.prepare(dataDirectory)
        let lock = try DataDirectoryLock.acquire(directory: dataDirectory)
        defer { lock.release() }
        try writeLog(saved, voters: topology.members.map(\.id), dataDirectory: dataDirectory)
        let identity = ClusterIdentity.id(ClusterIdentity.derive(topology: topology, token: token, snapshotDigest: saved.digest))
        try FoundingRecord(member: name, topology: topology, joining: false, identity: identity).write(dataDirectory: dataDirectory)
        return Report(dataDirectory: dataDirectory, index: saved.snapshot.index, term: saved.snapshot.term,
                      members: topology.flagText, identity: identity)
    }

    private static func writeLog(_ saved: SavedSnapshotFile, voters: [NodeID], dataDirectory: String) throws {
        let (wal, recovered) = try WriteAheadLog.open(directory: "\(dataDirectory)/\(StartupRecovery.raftSubdirectory)")
        defer { wal.close() }
        guard recovered.snapshot == nil, recovered.entries.isEmpty, recovered.hardState == nil else {
            throw DataDirectory.Failure(description: "data directory \(dataDirectory) already holds a Raft log")
        }
        let snapshot = saved.snapshot
        try wal.saveSnapshot(SnapshotRecord(index: snapshot.index, term: snapshot.term,
                                            configuration: MembershipCodec.encode(Membership(voters: voters)),
                                            data: FleetCodec.encode(saved.fleet.forNewCluster())))
        _ = try wal.append(entries: [], hardState: HardStateRecord(term: snapshot.term, votedFor: 0, commitIndex: snapshot.index))
        try wal.flush()
    }

    /// Refuses a directory that exists and holds anything: a restore never mixes with another
    /// member's state.
    private static func requireEmpty(_ path: String) throws {
        var status = stat()
        guard stat(path, &status) == 0 else {
            guard errno == ENOENT else {
                throw DataDirectory.Failure(description: "cannot use data directory \(path): \(String(cString: strerror(errno)))")
            }
            return
        }
        guard (status.st_mode & S_IFMT) == S_IFDIR else {
            throw DataDirectory.Failure(description: "data directory \(path) is not a directory")
        }
        let names = try DirectoryListing.names(in: path, maximumEntries: 1 << 20)
        guard names.isEmpty else {
            throw DataDirectory.Failure(description: "data directory \(path) is not empty: a restore writes only into an "
                                        + "empty or absent directory")
        }
    }
}
