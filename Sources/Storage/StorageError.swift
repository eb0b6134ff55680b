import FileSystem
import Glibc

/// Everything that can go wrong with the data directory, each naming the file
/// (and offset, where there is one) so an operator knows where to look.
public enum StorageError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Another process (or another open in this one) holds the directory's lock.
    case locked(directory: String, holder: String)
    /// A bad record with valid data after it, or in a segment that is not the
    /// last: not a torn write, so recovery refuses to start.
    case corruptRecord(file: String, offset: Int, reason: String)
    /// A `ChecksummedFile` that fails its checksum or is not one record.
    case corruptFile(path: String, reason: String)
    case diskFull(path: String)
    case readOnly(path: String)
    case io(operation: String, path: String, errno: Int32)
    case recordTooLarge(bytes: Int, maximumBytes: Int)
    case batchTooLarge(bytes: Int, maximumBytes: Int)
    case snapshotTooLarge(bytes: Int, maximumBytes: Int)
    /// Log indices do not follow on: at append, or between the chosen snapshot
    /// and the log on disk. (Out-of-sequence entries inside the log are
    /// `corruptRecord`, with their offset.)
    case gap(expectedIndex: UInt64, foundIndex: UInt64, file: String)
    /// A segment file is missing from the middle of the sequence.
    case missingSegment(directory: String, expectedSequence: UInt64, foundSequence: UInt64)
    /// An append tried to rewrite an entry the snapshot already covers.
    case conflictsWithSnapshot(index: UInt64, snapshotIndex: UInt64)
    /// A snapshot older than the newest one already saved.
    case staleSnapshot(index: UInt64, newestIndex: UInt64)
    case closed
    /// A failure left the files in a state only recovery can sort out.
    case unusable(path: String, cause: String)

    public var description: String {
        switch self {
        case let .locked(directory, holder):
            return "data directory \(directory) is locked by \(holder); "
                + "stop that process or give this one a different data directory"
        case let .corruptRecord(file, offset, reason):
            return "corrupt write-ahead-log record in \(file) at offset \(offset): \(reason); "
                + "refusing to start rather than lose or invent entries — restore this member from a peer or a backup"
        case let .corruptFile(path, reason):
            return "\(path) is corrupt: \(reason); refusing to start without it — restore this member from a peer or a backup"
        case let .diskFull(path):
            return "no space left on the device holding \(path); free space and retry"
        case let .readOnly(path):
            return "cannot write \(path): the file system is read-only or permission is denied"
        case let .io(operation, path, code):
            return "\(operation) \(path) failed: \(SystemErrorText.text(code))"
        case let .recordTooLarge(bytes, maximumBytes):
            return "record of \(bytes) bytes exceeds the \(maximumBytes)-byte maximum"
        case let .batchTooLarge(bytes, maximumBytes):
            return "append of \(bytes) bytes exceeds the \(maximumBytes)-byte batch maximum; split it"
        case let .snapshotTooLarge(bytes, maximumBytes):
            return "snapshot of \(bytes) bytes exceeds the \(maximumBytes)-byte maximum"
        case let .gap(expectedIndex, foundIndex, file):
            return "log index gap in \(file): expected entry \(expectedIndex), found \(foundIndex)"
        case let .missingSegment(directory, expectedSequence, foundSequence):
            return "segment \(FileName.segment(sequence: expectedSequence)) is missing from \(directory) "
                + "(next present is \(FileName.segment(sequence: foundSequence))); the log cannot be replayed"
        case let .conflictsWithSnapshot(index, snapshotIndex):
            return "entry \(index) is already covered by the snapshot at \(snapshotIndex) and cannot be rewritten"
        case let .staleSnapshot(index, newestIndex):
            return "snapshot at \(index) is older than the saved snapshot at \(newestIndex)"
        case .closed:
            return "the write-ahead log is closed"
        case let .unusable(path, cause):
            return "the write-ahead log at \(path) is unusable after a failed write (\(cause)); "
                + "reopen it so recovery can restore the last durable state"
        }
    }

    /// Maps a failed write-side call: full and read-only file systems get
    /// their own cases, everything else keeps its errno.
    static func writing(_ operation: String, path: String, errno code: Int32) -> StorageError {
        switch code {
        case ENOSPC, EDQUOT: return .diskFull(path: path)
        case EROFS, EACCES, EPERM: return .readOnly(path: path)
        default: return .io(operation: operation, path: path, errno: code)
        }
    }
}
