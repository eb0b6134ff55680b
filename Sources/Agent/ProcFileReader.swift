import FileSystem
import Glibc

/// A collector's reads of small whole files — `/proc` files, pid files —
/// through one shared `FileReader` (which keeps its scratch buffer between
/// intervals), with failures as `CollectorError`s. Owned by one collector;
/// not thread-safe.
final class ProcFileReader {
    private let reader = FileReader()

    /// The file's bytes; `maximumBytes` bounds what is accepted (more is `tooLarge`).
    func read(_ path: String, maximumBytes: Int) throws(CollectorError) -> [UInt8] {
        do {
            return try reader.read(path, maximumBytes: maximumBytes)
        } catch let .system(_, _, code) where code == ENOENT || code == ESRCH {
            throw .missing(path: path)
        } catch let .system(_, _, code) {
            throw .unreadable(path: path, reason: SystemErrorText.text(code))
        } catch .tooLarge {
            throw .tooLarge(path: path, maximumBytes: maximumBytes)
        } catch {
            throw .unreadable(path: path, reason: error.description)
        }
    }
}

/// Why a collector could not measure something this interval.
public enum CollectorError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file (or the process behind it) does not exist.
    case missing(path: String)
    case unreadable(path: String, reason: String)
    case tooLarge(path: String, maximumBytes: Int)
    case malformed(path: String, detail: String)

    public var description: String {
        switch self {
        case let .missing(path): "\(path) does not exist"
        case let .unreadable(path, reason): "cannot read \(path): \(reason)"
        case let .tooLarge(path, maximumBytes): "\(path) is larger than \(maximumBytes) bytes"
        case let .malformed(path, detail): "\(path): \(detail)"
        }
    }
}
