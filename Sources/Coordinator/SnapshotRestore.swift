import Cluster
import Consensus
import FileSystem
import Fleet
import Glibc
import ModuleArchive
import Storage

/// `hotswap snapshot restore`: makes the data directory of one member of a new cluster from a
/// saved snapshot (Docs/STORAGE.md, "Saved snapshots"). The cheap checks come first (the member's
/// name in `--initial-cluster`, an absent or empty directory), then the file (`SavedSnapshotFile`)
/// and that its state fits the write-ahead log. It then builds, in a sibling `DIR.restore-<pid>`,
/// what a coordinator starts from: the write-ahead log with the snapshot at the saved index and
/// term, whose membership is the new cluster's voters, a hard state committing it, and the founding
/// record (`new`, the given members) with the new cluster's identity, derived from the members,
/// `token` and the file's SHA-256: every member restored from the same file with the same flags
/// gets the same identity, which the saved cluster's never is, so the two never exchange a Raft
/// message. Everything is fsync'd, then the sibling is renamed to DIR: a failure at any point
/// removes the sibling and leaves DIR as it was.
public enum SnapshotRestore {
    /// What was written, for the command's report.
    public struct Report: Sendable {
        public let dataDirectory: String
        public let index: UInt64
        public let term: UInt64
        public let members: String
        public let identity: ClusterIdentity
    }

    /// Restores `path` into `dataDirectory`. `beforeRename` runs when the sibling directory is
    /// complete and synced, just before it takes DIR's place (tests inject a failure there).
    public static func run(file path: String, dataDirectory: String, name: String, initialCluster: String,
                           token: String = "", beforeRename: () throws -> Void = {}) throws -> Report {
        let topology = try ClusterTopology.parse(initialCluster)
        guard topology.member(named: name) != nil else {
            throw DataDirectory.Failure(description: "--name \(name) is not one of --initial-cluster \(topology.flagText)")
        }
        try requireEmpty(dataDirectory)
        let saved = try SavedSnapshotFile.read(path)
        let record = SnapshotRecord(index: saved.snapshot.index, term: saved.snapshot.term,
                                    configuration: MembershipCodec.encode(Membership(voters: topology.members.map(\.id))),
                                    data: FleetCodec.encode(saved.fleet.forNewCluster()))
        guard record.bodyBytes <= SnapshotRecord.bodyBytesMaximum else {
            throw DataDirectory.Failure(description: "snapshot \(path) is refused: its state for the new cluster takes "
                                        + "\(record.bodyBytes) bytes, more than the \(SnapshotRecord.bodyBytesMaximum) "
                                        + "a write-ahead log snapshot holds")
        }
        let identity = ClusterIdentity.id(ClusterIdentity.derive(topology: topology, token: token, snapshotDigest: saved.digest))
        let founding = FoundingRecord(member: name, topology: topology, joining: false, identity: identity)
        let staging = stagingPath(for: dataDirectory)
        try TreeRemoval.remove(staging)
        try DataDirectory.prepare(staging)
        do {
            try build(staging, record: record, founding: founding)
            try beforeRename()
            try moveIntoPlace(staging, dataDirectory)
        } catch {
            do {
                try TreeRemoval.remove(staging)
            } catch let cleanup {
                throw DataDirectory.Failure(description: "\(error); removing \(staging) then failed too (\(cleanup)): remove it by hand")
            }
            throw error
        }
        return Report(dataDirectory: dataDirectory, index: record.index, term: record.term, members: topology.flagText,
                      identity: identity)
    }

    /// `DIR.restore-<pid>` next to DIR (trailing slashes dropped, so it is never inside DIR).
    static func stagingPath(for dataDirectory: String) -> String {
        var trimmed = Substring(dataDirectory)
        while trimmed.count > 1, trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        return "\(trimmed).restore-\(getpid())"
    }

    /// Writes the log and the founding record into `directory` and syncs every directory in it.
    private static func build(_ directory: String, record: SnapshotRecord, founding: FoundingRecord) throws {
        let lock = try DataDirectoryLock.acquire(directory: directory)
        defer { lock.release() }
        let raft = "\(directory)/\(StartupRecovery.raftSubdirectory)"
        let (wal, recovered) = try WriteAheadLog.open(directory: raft)
        defer { wal.close() }
        guard recovered.snapshot == nil, recovered.entries.isEmpty, recovered.hardState == nil else {
            throw DataDirectory.Failure(description: "data directory \(directory) already holds a Raft log")
        }
        try wal.saveSnapshot(record)
        _ = try wal.append(entries: [], hardState: HardStateRecord(term: record.term, votedFor: 0, commitIndex: record.index))
        try wal.flush()
        try founding.write(dataDirectory: directory)
        try syncTree(directory)
    }

    /// fsyncs `directory` and every directory below it, so each entry made in the tree is durable.
    private static func syncTree(_ directory: String) throws {
        for name in try DirectoryListing.names(in: directory, maximumEntries: 1 << 16) {
            var status = stat()
            let path = "\(directory)/\(name)"
            guard lstat(path, &status) == 0 else { throw FileError.system(operation: "lstat", path: path, errno: errno) }
            if status.st_mode & S_IFMT == S_IFDIR { try syncTree(path) }
        }
        try Directory.sync(directory)
    }

    /// Renames the complete `staging` to `dataDirectory`, which must be absent or an empty
    /// directory (rename(2) refuses a non-empty one, so a concurrent restore cannot be overwritten),
    /// and syncs the parent so the new name survives a crash.
    private static func moveIntoPlace(_ staging: String, _ dataDirectory: String) throws {
        guard rename(staging, dataDirectory) == 0 else {
            let code = errno
            if code == ENOTEMPTY || code == EEXIST {
                throw DataDirectory.Failure(description: "data directory \(dataDirectory) is not empty: something wrote "
                                            + "into it during the restore")
            }
            throw FileError.system(operation: "rename \(staging) to", path: dataDirectory, errno: code)
        }
        try Directory.sync(Directory.parent(of: dataDirectory))
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
