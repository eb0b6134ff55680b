import FileSystem
import Glibc

/// Why the module store refused or failed: one sentence each, naming the path or the bound.
public enum ModuleStoreError: Error, Equatable, Sendable, CustomStringConvertible {
    case file(FileError)
    /// `ENOSPC` or `EDQUOT` while writing `path`; the upload's temporary file is removed.
    case diskFull(path: String)
    case artifactTooLarge(maximumBytes: Int64)
    /// Stored bytes plus uploads under way (`usedBytes`) leave no room for `neededBytes` more.
    case storeFull(usedBytes: Int64, neededBytes: Int64, maximumBytes: Int64)
    case tooManyArtifacts(maximum: Int)
    case digestMismatch(expected: ArtifactDigest, actual: ArtifactDigest)
    case notFound(ArtifactDigest)
    /// A stored file no longer hashes to its name.
    case corrupt(ArtifactDigest, actual: ArtifactDigest)
    case notRegularFile(path: String)
    /// `write` or `finish` on an upload that finished, was aborted or failed.
    case uploadClosed
    case crypto(String)

    public var description: String {
        switch self {
        case let .file(error): error.description
        case let .diskFull(path): "no space left on the device holding \(path); the upload was discarded: free space and retry"
        case let .artifactTooLarge(maximum): "the artifact is larger than \(maximum) bytes; the upload was discarded"
        case let .storeFull(used, needed, maximum):
            "the module store is full: \(used) of its \(maximum) bytes are used or being uploaded, "
                + "and \(needed) more would pass the bound; remove versions no environment runs and retry"
        case let .tooManyArtifacts(maximum): "the module store already holds its maximum of \(maximum) artifacts"
        case let .digestMismatch(expected, actual):
            "the artifact's sha256 is \(actual), not the expected \(expected); nothing was stored"
        case let .notFound(digest): "no artifact with sha256 \(digest) is stored"
        case let .corrupt(digest, actual): "the stored artifact \(digest) now hashes to \(actual): it is corrupt"
        case let .notRegularFile(path): "\(path) is not a regular file"
        case .uploadClosed: "the upload is already finished or discarded"
        case let .crypto(reason): "libcrypto failed: \(reason)"
        }
    }

    /// A failed write-side call: a full disk or quota is `diskFull`, anything else keeps its errno.
    static func writing(_ error: FileError) -> ModuleStoreError {
        if case let .system(_, path, code) = error, code == ENOSPC || code == EDQUOT { return .diskFull(path: path) }
        return .file(error)
    }

    static func writing(_ operation: String, path: String, errno code: Int32) -> ModuleStoreError {
        writing(.system(operation: operation, path: path, errno: code))
    }

    /// A failure of the running sha256 (`SHA256Digest` throws only `.crypto`).
    static func crypto(_ error: ModuleArchiveError) -> ModuleStoreError {
        if case let .crypto(reason) = error { return .crypto(reason) }
        return .crypto(error.description)
    }
}
