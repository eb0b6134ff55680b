import FileSystem
import Glibc
import ModuleArchive

/// The agent's artifact files (`DATA/artifacts/`): an artifact being fetched is
/// `partial/SHA` (appended to, kept across a dropped link so the next request resumes from its
/// size), and a fetched one whose sha256 matched is `SHA`, until the order that needed it has a
/// definitive result. At most `filesMaximum` of each are kept, the oldest removed first.
struct ArtifactFiles {
    static let partialName = "partial"
    static let fileMode: mode_t = 0o600

    let directory: String
    let filesMaximum: Int

    var partialDirectory: String { "\(directory)/\(Self.partialName)" }

    /// Makes `directory` and `partial/` (mode 0700) when missing.
    init(directory: String, filesMaximum: Int) throws(FileError) {
        self.directory = directory
        self.filesMaximum = max(1, filesMaximum)
        try Directory.ensure(directory, syncingParent: true)
        try Directory.ensure(partialDirectory, syncingParent: true)
    }

    func finishedPath(_ digest: ArtifactDigest) -> String { "\(directory)/\(digest.hex)" }
    func partialPath(_ digest: ArtifactDigest) -> String { "\(partialDirectory)/\(digest.hex)" }

    /// The size of a regular file at `path`, nil when there is none; something else there is an error.
    static func size(of path: String) throws(FileError) -> UInt64? {
        var status = stat()
        guard lstat(path, &status) == 0 else {
            guard errno == ENOENT else { throw .system(operation: "lstat", path: path, errno: errno) }
            return nil
        }
        guard status.st_mode & S_IFMT == S_IFREG else { throw .notRegularFile(path: path, kind: FileKind(mode: status.st_mode)) }
        return UInt64(status.st_size)
    }

    /// Opens (creating) the partial file of `digest` for writing; never follows a link.
    func openPartial(_ digest: ArtifactDigest) throws(FileError) -> Int32 {
        let path = partialPath(digest)
        let descriptor = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, Self.fileMode)
        guard descriptor >= 0 else { throw .system(operation: "open", path: path, errno: errno) }
        return descriptor
    }

    /// Moves a complete partial file to its finished name, durably (file, both directories).
    func finish(_ digest: ArtifactDigest) throws(FileError) {
        let from = partialPath(digest), to = finishedPath(digest)
        let descriptor = open(from, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard descriptor >= 0 else { throw .system(operation: "open", path: from, errno: errno) }
        let synced = fsync(descriptor) == 0 ? 0 : errno
        close(descriptor)
        guard synced == 0 else { throw .system(operation: "fsync", path: from, errno: synced) }
        guard rename(from, to) == 0 else { throw .system(operation: "rename", path: from, errno: errno) }
        try Directory.sync(directory)
        try Directory.sync(partialDirectory)
    }

    /// The bytes an unprivileged writer may still use on the file system of `directory`.
    func availableBytes() throws(FileError) -> UInt64 {
        var info = statvfs()
        guard statvfs(directory, &info) == 0 else { throw .system(operation: "statvfs", path: directory, errno: errno) }
        let (bytes, overflow) = UInt64(info.f_bavail).multipliedReportingOverflow(by: UInt64(info.f_frsize))
        return overflow ? .max : bytes
    }

    /// Removes a file, if there; another failure than its absence is thrown.
    static func remove(_ path: String) throws(FileError) {
        guard unlink(path) == 0 || errno == ENOENT else { throw .system(operation: "unlink", path: path, errno: errno) }
    }

    /// Removes the oldest files of `partial/` and of the finished ones beyond the bound, sparing
    /// `keeping`'s; names that are not artifact files (not 64 hex digits) are left alone.
    func prune(keeping digest: ArtifactDigest) throws(FileError) -> [String] {
        var removed: [String] = []
        for folder in [directory, partialDirectory] {
            var files: [(name: String, modified: Int)] = []
            for name in try DirectoryListing.names(in: folder, maximumEntries: 4096)
            where name != digest.hex && ArtifactDigest(hex: name) != nil {
                var status = stat()
                guard lstat("\(folder)/\(name)", &status) == 0, status.st_mode & S_IFMT == S_IFREG else { continue }
                files.append((name, status.st_mtim.tv_sec))
            }
            files.sort { $0.modified < $1.modified }
            for file in files.prefix(max(0, files.count - (filesMaximum - 1))) {
                try Self.remove("\(folder)/\(file.name)")
                removed.append("\(folder)/\(file.name)")
            }
        }
        return removed
    }
}
