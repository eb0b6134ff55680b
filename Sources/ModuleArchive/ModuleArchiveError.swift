import FileSystem
import Modules

/// Why packing, unpacking, signing or verifying a module artifact failed: one sentence each.
public enum ModuleArchiveError: Error, Equatable, Sendable, CustomStringConvertible {
    case file(FileError)
    /// The archive's contents are refused (`ModuleArchiveReader`).
    case refused(ModuleArchiveReader.Refusal)
    case notGzip(String)
    case decompressedTooLarge(maximum: Int64)
    case compressedTooLarge(maximum: Int64)
    case destinationExists(String)
    /// The artifact's sha256 is not the one the caller expected (hex digests).
    case digestMismatch(expected: String, found: String)
    /// The unpacked directory is in place, but fsync of its parent failed: it may not survive a crash.
    case inPlaceNotSynced(String, FileError)
    /// A failed unpack's hidden directory could not be removed (`cause` is why the unpack failed).
    indirect case leftBehind(String, cleanup: FileError, cause: ModuleArchiveError)
    /// What a directory to pack holds that an artifact may not, or a file that changed under it.
    case unpackable(String)
    case key(String)
    case signatureMismatch(String)
    case crypto(String)
    /// zlib itself failed (not the artifact's bytes: those are `notGzip`).
    case compression(String)
    /// The caller stopped the read (a coordinator shutting down).
    case cancelled

    public var description: String {
        switch self {
        case let .file(error): error.description
        case let .refused(refusal): refusal.description
        case let .notGzip(reason): "the artifact is not a valid gzip stream: \(reason)"
        case let .decompressedTooLarge(maximum): "the artifact unpacks to more than \(maximum) bytes (refused before unpacking further)"
        case let .compressedTooLarge(maximum): "the artifact is larger than \(maximum) bytes"
        case let .destinationExists(path): "\(path) already exists; a module is unpacked only into a new directory"
        case let .digestMismatch(expected, found): "the artifact's sha256 is \(found), not the expected \(expected)"
        case let .inPlaceNotSynced(path, error): "\(path) was unpacked and put in place, but may not survive a crash: \(error)"
        case let .leftBehind(path, cleanup, cause): "\(cause); and the unfinished \(path) could not be removed: \(cleanup)"
        case let .unpackable(reason): reason
        case let .key(reason): reason
        case let .signatureMismatch(reason): "verification failed: \(reason)"
        case let .crypto(reason): "libcrypto failed: \(reason)"
        case let .compression(reason): "zlib failed: \(reason)"
        case .cancelled: "the read was cancelled"
        }
    }
}
