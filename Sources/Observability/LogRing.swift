import Locking

/// The last log lines of a process, kept in memory for `GET /api/v1/debug/logs` and debug
/// bundles (Docs/RUNBOOKS.md, "Collecting a debug bundle"): at most `linesMaximumCount` lines and
/// `bytesMaximum` bytes of them, whichever is reached first. The oldest lines make room for new
/// ones; every line pushed out, or too long to keep at all, is counted with its bytes.
public final class LogRing: Sendable {
    /// The most lines a coordinator keeps.
    public static let linesMaximumCountDefault = 2_000
    /// The most bytes of lines (without newlines) a coordinator keeps: 1 MiB.
    public static let bytesMaximumDefault = 1 << 20

    /// What the ring holds at one moment, and what it has dropped since the process started.
    public struct Contents: Sendable, Equatable {
        /// Oldest first.
        public var lines: [String]
        public var droppedLineCount: Int
        public var droppedBytes: Int
    }

    private struct State {
        /// A circular buffer of `linesMaximumCount` slots; `first` is the oldest line's slot.
        var slots: [String?]
        var first = 0
        var count = 0
        var bytes = 0
        var droppedLineCount = 0
        var droppedBytes = 0
    }

    public let linesMaximumCount: Int
    public let bytesMaximum: Int
    private let state: Locked<State>

    public init(linesMaximumCount: Int = linesMaximumCountDefault, bytesMaximum: Int = bytesMaximumDefault) {
        precondition(linesMaximumCount > 0 && bytesMaximum > 0, "a log ring keeps at least one line and one byte")
        self.linesMaximumCount = linesMaximumCount
        self.bytesMaximum = bytesMaximum
        state = Locked(State(slots: [String?](repeating: nil, count: linesMaximumCount)))
    }

    /// Keeps `line`, dropping the oldest lines until it fits; a line longer than `bytesMaximum`
    /// is dropped itself (counted), leaving the ring as it was.
    public func append(_ line: String) {
        let size = line.utf8.count
        state.withLock { state in
            guard size <= bytesMaximum else {
                state.droppedLineCount += 1
                state.droppedBytes += size
                return
            }
            while state.count == linesMaximumCount || state.bytes + size > bytesMaximum {
                dropOldest(&state)
            }
            state.slots[(state.first + state.count) % linesMaximumCount] = line
            state.count += 1
            state.bytes += size
            assert(state.bytes <= bytesMaximum && state.count <= linesMaximumCount, "the log ring is over its bounds")
        }
    }

    private func dropOldest(_ state: inout State) {
        precondition(state.count > 0, "the log ring is over its bounds with no line in it")
        let size = state.slots[state.first]?.utf8.count ?? 0
        state.slots[state.first] = nil
        state.first = (state.first + 1) % linesMaximumCount
        state.count -= 1
        state.bytes -= size
        state.droppedLineCount += 1
        state.droppedBytes += size
    }

    /// Lines dropped since the process started (pushed out, or too long to keep).
    public var droppedLineCount: Int {
        state.withLock { $0.droppedLineCount }
    }

    /// The lines kept, oldest first; with `sinceMilliseconds`, only those whose `ts=` field
    /// (the `Logger`'s first) is at or after it. A line without a readable `ts=` is kept.
    public func contents(sinceMilliseconds: UInt64? = nil) -> Contents {
        let (lines, droppedLineCount, droppedBytes) = state.withLock { state in
            let lines = (0..<state.count).compactMap { state.slots[(state.first + $0) % linesMaximumCount] }
            return (lines, state.droppedLineCount, state.droppedBytes)
        }
        guard let sinceMilliseconds else {
            return Contents(lines: lines, droppedLineCount: droppedLineCount, droppedBytes: droppedBytes)
        }
        let recent = lines.filter { line in Self.timestampMilliseconds(of: line).map { $0 >= sinceMilliseconds } ?? true }
        return Contents(lines: recent, droppedLineCount: droppedLineCount, droppedBytes: droppedBytes)
    }

    /// The time of a `Logger` line, which starts `ts=2026-11-23T10:00:00.123Z `.
    static func timestampMilliseconds(of line: String) -> UInt64? {
        guard line.hasPrefix("ts=") else { return nil }
        let text = line.dropFirst(3).prefix { $0 != " " }
        return UTCTimestamp.milliseconds(parsing: String(text))
    }
}
