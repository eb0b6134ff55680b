import LocalFleet
import Testing

/// Server text printed by the CLI stays on one line, drives no terminal and is bounded.
struct TerminalTextTests {
    @Test func controlCharactersAndDELAreEscaped() {
        #expect(TerminalText.printable("plain text, ünïcode ✓") == "plain text, ünïcode ✓")
        #expect(TerminalText.printable("two\nlines\r\tand") == "two\\nlines\\r\\tand")
        #expect(TerminalText.printable("\u{1B}[2Jclear") == "\\u{1B}[2Jclear")
        #expect(TerminalText.printable("nul\u{0}del\u{7F}csi\u{9B}nel\u{85}") == "nul\\u{0}del\\u{7F}csi\\u{9B}nel\\u{85}")
    }

    @Test func longTextIsCutAtTheByteLimit() {
        let long = String(repeating: "x", count: 20_000)
        let shown = TerminalText.printable(long)
        #expect(shown == String(repeating: "x", count: TerminalText.maximumBytes) + "…")
        #expect(TerminalText.printable(String(repeating: "x", count: TerminalText.maximumBytes)).count == TerminalText.maximumBytes)
        // An escape is never cut in half.
        #expect(TerminalText.printable("ab\n", maximumBytes: 3) == "ab…")
    }

    @Test func tableCellsArePrintable() {
        #expect(TextTable.row(["a\nb", "c"], widths: [5, 2]) == "a\\nb c ")
    }
}
