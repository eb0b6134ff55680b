import Locking

/// Collects the lines a capturing `LogSink` receives, so tests can read what was logged.
/// Holds at most `linesMaximumCount` lines; later lines are counted but not kept.
public final class LogCapture: Sendable {
    /// The most lines one capture keeps.
    public static let linesMaximumCount = 10_000

    private struct State {
        var lines: [String] = []
        var droppedCount = 0
    }

    private let state = Locked(State())

    init() {}

    /// The captured lines, oldest first, without their trailing newlines.
    public var lines: [String] {
        state.withLock { $0.lines }
    }

    /// How many lines arrived after the capture was full.
    public var droppedCount: Int {
        state.withLock { $0.droppedCount }
    }

    func append(_ line: String) {
        state.withLock { state in
            if state.lines.count < Self.linesMaximumCount {
                state.lines.append(line)
            } else {
                state.droppedCount += 1
            }
        }
    }
}
