import FileSystem
import Glibc
import Locking

/// The highest leader term this agent has seen, kept durably in `DIR/term`
/// (fencing: a command from a lower term is refused, even after a restart).
/// The file is one decimal number and a newline. A new term is written to
/// `term.tmp`, synced, renamed over `term`, and the directory is synced, so
/// a crash leaves either the old term or the new one, never a torn file.
/// `raise(to:)` returns only once the new term is on disk: callers persist
/// before they act on the frame that carried it.
public final class TermStore: TermRecord {
    public static let fileName = "term"
    static let temporaryFileName = "term.tmp"
    /// "18446744073709551615\n" is 21 bytes; anything longer is not a term file.
    static let fileBytesMaximum = 21

    public let directory: String
    private let term: Locked<UInt64>

    /// Loads `DIR/term`; when it does not exist (first start), writes term 0,
    /// which also proves the directory takes durable writes.
    public init(directory: String) throws(AgentStateError) {
        self.directory = directory
        let path = "\(directory)/\(Self.fileName)"
        if let loaded = try Self.load(path) {
            term = Locked(loaded)
        } else {
            try Self.write(0, directory: directory)
            term = Locked(0)
        }
    }

    public var path: String { "\(directory)/\(Self.fileName)" }

    /// The highest term persisted so far.
    public var highestTerm: UInt64 { term.withLock { $0 } }

    /// Persists `candidate` if it is higher than the stored term; returns
    /// whether it was. On an error the stored term is unchanged, on disk and
    /// in memory, and the caller must not act on the frame that carried it.
    @discardableResult
    public func raise(to candidate: UInt64) throws(AgentStateError) -> Bool {
        let outcome: Result<Bool, AgentStateError> = term.withLock { stored in
            guard candidate > stored else { return .success(false) }
            do throws(AgentStateError) {
                try Self.write(candidate, directory: directory)
            } catch {
                return .failure(error)
            }
            stored = candidate
            return .success(true)
        }
        return try outcome.get()
    }

    /// The term in `path`, nil when the file does not exist.
    static func load(_ path: String) throws(AgentStateError) -> UInt64? {
        let bytes: [UInt8]
        do {
            bytes = try FileReader.read(path, maximumBytes: fileBytesMaximum, followingSymlinks: false)
        } catch let .system(_, _, code) where code == ENOENT {
            return nil
        } catch .tooLarge {
            throw .malformedTerm(path: path, detail: "longer than \(fileBytesMaximum) bytes")
        } catch {
            throw .unreadable(path: path, reason: error.reason)
        }
        return try parse(bytes[...], path: path)
    }

    /// Exactly `DIGITS\n`, no sign, no leading zero (but `0`), fitting 64 bits.
    static func parse(_ bytes: ArraySlice<UInt8>, path: String) throws(AgentStateError) -> UInt64 {
        guard bytes.count <= fileBytesMaximum else { throw .malformedTerm(path: path, detail: "longer than \(fileBytesMaximum) bytes") }
        guard !bytes.isEmpty else { throw .malformedTerm(path: path, detail: "the file is empty") }
        guard bytes.last == UInt8(ascii: "\n") else { throw .malformedTerm(path: path, detail: "no newline at the end") }
        let digits = bytes.dropLast()
        guard !digits.isEmpty, digits.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) else {
            throw .malformedTerm(path: path, detail: "not a decimal number")
        }
        guard digits.count == 1 || digits.first != UInt8(ascii: "0") else {
            throw .malformedTerm(path: path, detail: "a leading zero")
        }
        guard let value = UInt64(String(decoding: digits, as: UTF8.self)) else {
            throw .malformedTerm(path: path, detail: "larger than 64 bits")
        }
        return value
    }

    /// temp file → write → fsync → rename → fsync the directory.
    static func write(_ value: UInt64, directory: String) throws(AgentStateError) {
        let temporary = "\(directory)/\(temporaryFileName)"
        let final = "\(directory)/\(fileName)"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard descriptor >= 0 else { throw .unwritable(path: temporary, operation: "create", reason: SystemErrorText.current()) }
        do {
            try DescriptorIO.writeAll(descriptor, Array("\(value)\n".utf8), path: temporary)
        } catch {
            close(descriptor)
            throw .unwritable(path: temporary, operation: "write", reason: error.reason)
        }
        guard fsync(descriptor) == 0 else {
            let reason = SystemErrorText.current()
            close(descriptor)
            throw .unwritable(path: temporary, operation: "fsync", reason: reason)
        }
        close(descriptor)
        guard rename(temporary, final) == 0 else {
            throw .unwritable(path: final, operation: "rename \(temporaryFileName) to", reason: SystemErrorText.current())
        }
        try syncDirectory(directory)
    }

    private static func syncDirectory(_ directory: String) throws(AgentStateError) {
        do {
            try Directory.sync(directory)
        } catch let .system(operation, _, code) {
            throw .unwritable(path: directory, operation: operation == "open directory" ? "open" : "fsync",
                              reason: SystemErrorText.text(code))
        } catch {
            throw .unwritable(path: directory, operation: "fsync", reason: error.description)
        }
    }
}
