import FileSystem
import Glibc

/// What opening a module store found in its directory.
public struct ModuleStoreRecovery: Equatable, Sendable {
    /// Temporary files of uploads a crash interrupted, removed (names inside `incoming/`).
    public let removedLeftovers: [String]
    /// Names that are neither an artifact (64 lowercase hex, a regular file) nor an upload's
    /// temporary file, relative to the store's directory (`sha256/README`): reported, left alone.
    public let unexpectedNames: [String]
}

extension ModuleStore {
    /// Opens (making it when missing, with its parent present) the store in `directory`: takes its
    /// lock, removes the temporary files of interrupted uploads, and counts what `sha256/` holds.
    /// A store over its bounds opens (bounds may have been lowered); new uploads are refused.
    public static func open(directory: String, limits: ModuleStoreLimits = ModuleStoreLimits()) throws(ModuleStoreError) -> ModuleStore {
        let artifactsDirectory = directory + "/sha256"
        let incomingDirectory = directory + "/incoming"
        do {
            try Directory.ensure(directory, mode: directoryMode, syncingParent: true)
            try Directory.ensure(artifactsDirectory, mode: directoryMode, syncingParent: true)
            try Directory.ensure(incomingDirectory, mode: directoryMode, syncingParent: true)
        } catch {
            throw .writing(error)
        }
        let lock: FileLock
        do { lock = try FileLock.acquire(directory + "/lock") } catch { throw .file(error) }
        let (removed, strayUploads) = try removeLeftovers(in: incomingDirectory)
        let (artifacts, strayArtifacts) = try scanArtifacts(in: artifactsDirectory)
        let recovery = ModuleStoreRecovery(
            removedLeftovers: removed,
            unexpectedNames: (strayArtifacts.map { "sha256/\($0)" } + strayUploads.map { "incoming/\($0)" }).sorted()
        )
        return ModuleStore(directory: directory, limits: limits, recovery: recovery, artifacts: artifacts, lock: lock)
    }

    /// Unlinks every upload's temporary file in `incoming`; returns those names and the others.
    private static func removeLeftovers(in incoming: String) throws(ModuleStoreError) -> (removed: [String], others: [String]) {
        var removed: [String] = []
        var others: [String] = []
        for name in try names(in: incoming).sorted() {
            guard name.hasPrefix(uploadPrefix) else {
                others.append(name)
                continue
            }
            let path = "\(incoming)/\(name)"
            if unlink(path) == 0 {
                removed.append(name)
            } else if errno == EISDIR || errno == EPERM {
                others.append(name)
            } else {
                throw .file(.system(operation: "unlink", path: path, errno: errno))
            }
        }
        if !removed.isEmpty {
            do { try Directory.sync(incoming) } catch { throw .writing(error) }
        }
        return (removed, others)
    }

    /// The artifacts in `sha256/` with their sizes, and the names that are not artifacts.
    private static func scanArtifacts(in directory: String) throws(ModuleStoreError) -> ([ArtifactDigest: Int64], [String]) {
        var artifacts: [ArtifactDigest: Int64] = [:]
        var others: [String] = []
        for name in try names(in: directory) {
            var status = stat()
            let path = "\(directory)/\(name)"
            guard lstat(path, &status) == 0 else { throw .file(.system(operation: "lstat", path: path, errno: errno)) }
            if let digest = ArtifactDigest(hex: name), status.st_mode & S_IFMT == S_IFREG {
                artifacts[digest] = Int64(status.st_size)
            } else {
                others.append(name)
            }
        }
        return (artifacts, others)
    }

    private static func names(in directory: String) throws(ModuleStoreError) -> [String] {
        do { return try DirectoryListing.names(in: directory, maximumEntries: directoryEntriesMaximum) } catch { throw .file(error) }
    }
}
