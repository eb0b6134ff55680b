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

    /// Replaces the block on screen with `lines`, cut to `rows` less one (the terminal's height,
    /// read now unless the caller has just read it).
    public func draw(_ lines: [String], rows: Int = TerminalFrame.rows()) {
        show(Self.fitted(lines, rows: rows), after: erasure())
    }

    /// Prints `lines` for good above the block, which is drawn again below them as it was.
    public func printAbove(_ lines: [String]) {
        guard !lines.isEmpty else { return }
        show(drawnLines, after: erasure() + lines.joined(separator: "\n") + "\n")
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

    /// Writes `prefix`, then `block` (already fitted) with auto-wrap off, and remembers the block.
    private func show(_ block: [String], after prefix: String) {
        let drawn = block.isEmpty ? "" : "\u{1B}[?7l" + block.joined(separator: "\n") + "\n\u{1B}[?7h"
        StandardOutput.write(prefix + drawn)
        drawnLines = block
    }

    /// Moves the cursor up over the block on screen and clears from there.
    private func erasure() -> String {
        drawnLines.isEmpty ? "" : "\u{1B}[\(drawnLines.count)A\r\u{1B}[J"
    }
}
