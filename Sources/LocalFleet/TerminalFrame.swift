import CommandLineSupport

/// A block of lines kept at the bottom of a terminal and redrawn in place (ANSI: cursor up over the
/// block drawn before, clear to the end of the screen), with lines printed for good above it.
/// Auto-wrap is off while drawing, so a line wider than the terminal is cut at its edge instead of
/// taking two rows the next redraw would not erase. For a terminal only: on a pipe, print lines.
public final class TerminalFrame {
    private var drawnLines: [String] = []

    public init() {}

    /// Replaces the block on screen with `lines`.
    public func draw(_ lines: [String]) {
        StandardOutput.write(erasure() + "\u{1B}[?7l" + lines.joined(separator: "\n") + "\n\u{1B}[?7h")
        drawnLines = lines
    }

    /// Prints `line` for good above the block, which is drawn again below it.
    public func printAbove(_ line: String) {
        let block = drawnLines
        StandardOutput.write(erasure() + line + "\n")
        drawnLines = []
        if !block.isEmpty { draw(block) }
    }

    /// Leaves the block on screen for good: what is printed next is not erased.
    public func release() {
        drawnLines = []
    }

    /// Moves the cursor up over the block on screen and clears from there.
    private func erasure() -> String {
        drawnLines.isEmpty ? "" : "\u{1B}[\(drawnLines.count)A\r\u{1B}[J"
    }
}
