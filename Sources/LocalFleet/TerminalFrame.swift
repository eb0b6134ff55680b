import CLinux
import CommandLineSupport

/// A block of lines kept at the bottom of a terminal and redrawn in place (ANSI: cursor up over the
/// block drawn before, clear to the end of the screen), with lines printed for good above it.
/// Auto-wrap is off while drawing, so a line wider than the terminal is cut at its edge instead of
/// taking two rows the next redraw would not erase; a block taller than the terminal (its height
/// read at each draw) is cut to fit, as the cursor cannot move up past the top row to erase it.
/// For a terminal only: on a pipe, print lines.
public final class TerminalFrame {
    private var drawnLines: [String] = []

    public init() {}

    /// The terminal's rows now, 0 when standard output is no terminal or does not say.
    public static func rows() -> Int {
        Int(hs_terminal_rows(1))
    }

    /// Replaces the block on screen with `lines`, cut to the terminal's height less one row.
    public func draw(_ lines: [String]) {
        let fitted = Self.fitted(lines, rows: Self.rows())
        StandardOutput.write(erasure() + "\u{1B}[?7l" + fitted.joined(separator: "\n") + "\n\u{1B}[?7h")
        drawnLines = fitted
    }

    /// Prints `lines` for good above the block, which is drawn again below them.
    public func printAbove(_ lines: [String]) {
        guard !lines.isEmpty else { return }
        let block = drawnLines
        StandardOutput.write(erasure() + lines.joined(separator: "\n") + "\n")
        drawnLines = []
        if !block.isEmpty { draw(block) }
    }

    /// Leaves the block on screen for good: what is printed next is not erased.
    public func release() {
        drawnLines = []
    }

    /// `lines` when they fit in `rows` − 1 (or `rows` is unknown, 0), else the first ones and a
    /// last line counting the rest.
    public static func fitted(_ lines: [String], rows: Int) -> [String] {
        guard rows > 2, lines.count > rows - 1 else { return lines }
        let kept = rows - 2
        return Array(lines.prefix(kept)) + ["(\(lines.count - kept) more lines: a taller terminal shows them)"]
    }

    /// Moves the cursor up over the block on screen and clears from there.
    private func erasure() -> String {
        drawnLines.isEmpty ? "" : "\u{1B}[\(drawnLines.count)A\r\u{1B}[J"
    }
}
