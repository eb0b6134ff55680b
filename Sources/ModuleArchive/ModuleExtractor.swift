import CLinux
import FileSystem
import Glibc
import Modules
import Wire

/// Unpacks a module artifact safely (Docs/MODULES.md, "Unpacking"): into a fresh hidden
/// directory beside the destination, every entry created relative to directory descriptors
/// (`ExtractionTree`), everything fsync'd, then one `renameat2(RENAME_NOREPLACE)` puts it in
/// place, refused when anything is at the destination (where the filesystem lacks it, `rename`
/// replaces at most an empty directory made there between the check and the call). A refused
/// or interrupted unpack removes its directory; a crash can leave only that hidden
/// `.NAME.unpacking-*` directory, never a partial destination.
public enum ModuleExtractor {
    /// What an unpack found: the manifest, and the artifact's sha256 and size as read.
    public struct Result: Equatable, Sendable {
        public let manifest: ModuleManifest
        public let sha256: [UInt8]
        public let compressedBytes: Int64
    }

    /// Unpacks `artifact` into `destination`, which must not exist yet (its parent must). With
    /// `expectedSHA256`, an artifact whose sha256 differs is refused before anything is put in place.
    public static func extract(artifact: String, into destination: String, expectedSHA256: [UInt8]? = nil,
                               limits: ArchiveLimits = ArchiveLimits()) throws(ModuleArchiveError) -> Result {
        var status = stat()
        if lstat(destination, &status) == 0 { throw .destinationExists(destination) }
        let parent = Directory.parent(of: destination)
        let base = destination.utf8.split(separator: UInt8(ascii: "/")).last.map { String(decoding: $0, as: UTF8.self) } ?? destination
        var template = Array("\(parent)/.\(base).unpacking-XXXXXX".utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw .file(.system(operation: "mkdtemp", path: "\(parent)/.\(base).unpacking-XXXXXX", errno: errno))
        }
        let temporary = String(cString: made)
        let result: Result
        do throws(ModuleArchiveError) {
            result = try unpack(artifact, into: temporary, limits: limits)
            if let expectedSHA256, result.sha256 != expectedSHA256 {
                throw .digestMismatch(expected: HexText.lowercase(expectedSHA256), found: HexText.lowercase(result.sha256))
            }
            if lstat(destination, &status) == 0 { throw .destinationExists(destination) }
            try place(temporary, at: destination)
        } catch {
            do { try TreeRemoval.remove(temporary) } catch let cleanup { throw .leftBehind(temporary, cleanup: cleanup, cause: error) }
            throw error
        }
        // In place: a failure now is not a failed unpack, and there is nothing to remove.
        do { try Directory.sync(parent) } catch { throw .inPlaceNotSynced(destination, error) }
        return result
    }

    /// Renames `temporary` to `destination` unless something is there: RENAME_NOREPLACE, or,
    /// where the filesystem lacks it, `rename`, which replaces at most an empty directory.
    private static func place(_ temporary: String, at destination: String) throws(ModuleArchiveError) {
        var placed = hs_rename_noreplace(temporary, destination) == 0
        if !placed, errno == EINVAL { placed = rename(temporary, destination) == 0 }
        guard placed else {
            throw errno == EEXIST || errno == ENOTEMPTY ? .destinationExists(destination)
                : .file(.system(operation: "rename", path: destination, errno: errno))
        }
    }

    private static func unpack(_ artifact: String, into temporary: String, limits: ArchiveLimits) throws(ModuleArchiveError) -> Result {
        let root = open(temporary, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard root >= 0 else { throw .file(.system(operation: "open", path: temporary, errno: errno)) }
        defer { close(root) }
        guard fchmod(root, 0o755) == 0 else { throw .file(.system(operation: "fchmod", path: temporary, errno: errno)) }
        let tree = ExtractionTree(root: root, rootPath: temporary)
        let summary = try ArtifactStream.read(artifact, limits: limits) { (event: TarEvent) throws(ModuleArchiveError) in
            try tree.apply(event)
        }
        try tree.syncDirectories()
        return Result(manifest: summary.manifest, sha256: summary.sha256, compressedBytes: summary.compressedBytes)
    }

    /// Reads and checks a whole artifact without writing anything: its manifest, sha256 and size.
    /// `isCancelled` is asked before each piece read; once it says true the read ends, `.cancelled`.
    public static func inspect(artifact: String, limits: ArchiveLimits = ArchiveLimits(),
                               isCancelled: () -> Bool = { false }) throws(ModuleArchiveError) -> Result {
        let summary = try ArtifactStream.read(artifact, limits: limits,
                                              isCancelled: isCancelled) { (_: TarEvent) throws(ModuleArchiveError) in }
        return Result(manifest: summary.manifest, sha256: summary.sha256, compressedBytes: summary.compressedBytes)
    }
}
