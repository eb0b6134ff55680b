import FileSystem
import Glibc

/// Bounded reads of the log files `hotswap dev`'s children write: the last
/// lines (for reports of a failing process) and the first line holding some
/// text (a coordinator's `coordinator started` line with its bound ports).
enum LogFile {
    /// How much of a log's end is read for its tail.
    static let tailBytesMaximum = 16 * 1024
    /// How much of a log's start is searched for a line.
    static let headBytesMaximum = 256 * 1024
    /// Lines of a log quoted in a failure report.
    static let tailLineCount = 12

    /// The last `count` lines of the file at `path` (fewer when it is shorter; none when unreadable).
    static func tail(_ path: String, lines count: Int = tailLineCount) -> [String] {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return [] }
        defer { close(descriptor) }
        let size = lseek(descriptor, 0, SEEK_END)
        guard size > 0 else { return [] }
        let start = max(0, size - off_t(tailBytesMaximum))
        var lines = read(descriptor, path: path, from: start, count: Int(size - start))
            .split(separator: "\n", omittingEmptySubsequences: true)
        if start > 0, !lines.isEmpty { lines.removeFirst() }
        return lines.suffix(count).map(String.init)
    }

    /// The first line of the file at `path` that contains `text`, searching
    /// `headBytesMaximum` bytes from `offset` (where a child started
    /// appending: the log holds earlier runs' lines too).
    static func firstLine(in path: String, containing text: String, from offset: off_t = 0) -> String? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        let head = read(descriptor, path: path, from: offset, count: headBytesMaximum)
        return head.split(separator: "\n").first { $0.contains(text) }.map(String.init)
    }

    /// The size of the file at `path` now; 0 when it does not exist or cannot be read.
    static func size(_ path: String) -> off_t {
        var status = stat()
        return stat(path, &status) == 0 ? status.st_size : 0
    }

    /// A child's log tail, indented, for a failure report. The last line
    /// the CLI wrote as its own error (`hotswap: ...`, followed by the usage
    /// for a usage mistake) comes first, since the tail may have scrolled past it.
    static func tailBlock(_ child: ChildProcess) -> String {
        let lines = tail(child.logPath, lines: Int.max)
        guard !lines.isEmpty else { return "  (its log \(child.logPath) is empty)" }
        let error = lines.last { $0.hasPrefix("hotswap: ") }.map { "  error: \($0)\n" } ?? ""
        return error + "  last lines of \(child.logPath):\n"
            + lines.suffix(tailLineCount).map { "    " + $0 }.joined(separator: "\n")
    }

    /// Up to `count` bytes from `offset` as text; what was read before a failure (a log is evidence, not state).
    private static func read(_ descriptor: Int32, path: String, from offset: off_t, count: Int) -> String {
        do {
            return String(decoding: try DescriptorIO.read(descriptor, upTo: count, atOffset: offset, path: path), as: UTF8.self)
        } catch {
            return ""
        }
    }
}
