import Cluster
import Glibc
import Storage

/// `hotswap data verify`: runs a coordinator's start-up recovery
/// (`StartupRecovery`) on a data directory under its lock, so it can never
/// run beside a live coordinator, and reports what was recovered. Like a
/// start, a usable log has its torn tail cut and a fresh segment begun; a
/// refusal changes nothing on disk.
public enum DataDirectoryVerification {
    /// Throws the recovery's own error when a coordinator would refuse to
    /// start (for corruption, a `StorageError` naming the file and offset).
    public static func run(dataDirectory: String) throws -> RecoveryReport {
        let walDirectory = "\(dataDirectory)/\(StartupRecovery.raftSubdirectory)/wal"
        guard isDirectory(walDirectory) else {
            throw DataDirectory.Failure(
                description: "no write-ahead log in \(dataDirectory): \(walDirectory) is not a directory "
                    + "(has a coordinator run with this --data-dir?)")
        }
        let lock = try DataDirectoryLock.acquire(directory: dataDirectory)
        defer { lock.release() }
        let founding = try FoundingRecord.read(dataDirectory: dataDirectory)
        let recovery = try StartupRecovery.run(dataDirectory: dataDirectory, metrics: nil)
        defer { recovery.store.wal.close() }
        let segments = try recovery.store.wal.segmentFiles.map { path in
            RecoveryReport.Segment(path: path, bytes: try fileSize(path))
        }
        return RecoveryReport(dataDirectory: dataDirectory, state: recovery.state, details: recovery.details,
                              segments: segments, founding: founding)
    }

    private static func isDirectory(_ path: String) -> Bool {
        var status = stat()
        return stat(path, &status) == 0 && (status.st_mode & S_IFMT) == S_IFDIR
    }

    private static func fileSize(_ path: String) throws(DataDirectory.Failure) -> Int {
        var status = stat()
        guard stat(path, &status) == 0 else {
            throw DataDirectory.Failure(description: "cannot stat \(path): \(String(cString: strerror(errno)))")
        }
        return Int(status.st_size)
    }
}
