import Glibc
import Synchronization

/// Where log lines go: a file descriptor (standard error in production) written with one
/// `write(2)` per line so lines from concurrent callers never interleave, or a `LogCapture`
/// for tests; a descriptor's sink may also keep its recent lines in a `LogRing`. The sink does not
/// own its file descriptor and never closes it.
public final class LogSink: Sendable {
    /// Lines written to file descriptor 2.
    public static let standardError = LogSink(fileDescriptor: STDERR_FILENO)

    /// How many times one line's `write(2)` is retried after `EINTR`, `EAGAIN` or a short write.
    static let writeAttemptsMaximum = 8

    private enum Destination: Sendable {
        case fileDescriptor(Int32)
        case capture(LogCapture)
    }

    private let destination: Destination
    private let failedLines = Atomic<Int>(0)
    /// Where the lines written are also kept, for the debug routes.
    public let recentLines: LogRing?

    /// Writes lines to `fileDescriptor`, which the caller keeps open for the sink's lifetime, and
    /// keeps them in `recentLines` too when given.
    public init(fileDescriptor: Int32, recentLines: LogRing? = nil) {
        precondition(fileDescriptor >= 0, "LogSink needs an open file descriptor, got \(fileDescriptor)")
        destination = .fileDescriptor(fileDescriptor)
        self.recentLines = recentLines
    }

    private init(capture: LogCapture) {
        destination = .capture(capture)
        recentLines = nil
    }

    /// A sink that keeps lines in memory, and the capture to read them from.
    public static func capturing() -> (LogSink, LogCapture) {
        let capture = LogCapture()
        return (LogSink(capture: capture), capture)
    }

    /// Lines that could not be written completely (the descriptor failed or stayed full).
    public var failedLineCount: Int {
        failedLines.load(ordering: .relaxed)
    }

    /// Writes `line` (which must not contain a newline) followed by a newline.
    func write(line: String) {
        precondition(!line.utf8.contains(UInt8(ascii: "\n")), "a log line must not contain a newline")
        switch destination {
        case .capture(let capture):
            capture.append(line)
        case .fileDescriptor(let descriptor):
            recentLines?.append(line)
            if !Self.writeWhole(line + "\n", to: descriptor) {
                failedLines.add(1, ordering: .relaxed)
            }
        }
    }

    private static func writeWhole(_ text: String, to descriptor: Int32) -> Bool {
        let bytes = Array(text.utf8)
        var offset = 0
        var attempts = 0
        while offset < bytes.count && attempts < writeAttemptsMaximum {
            attempts += 1
            let written = bytes.withUnsafeBytes { buffer in
                Glibc.write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
            }
            if written > 0 {
                offset += written
            } else if written < 0 && errno != EINTR && errno != EAGAIN {
                return false
            }
        }
        return offset == bytes.count
    }
}
