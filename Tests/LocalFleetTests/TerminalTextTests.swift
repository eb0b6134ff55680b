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

    @Test func separatorsAndBidirectionalControlsAreEscaped() {
        #expect(TerminalText.printable("a\u{2028}b\u{2029}c") == "a\\u{2028}b\\u{2029}c")
        #expect(TerminalText.printable("name\u{202E}gpj.exe\u{2066}x\u{2069}") == "name\\u{202E}gpj.exe\\u{2066}x\\u{2069}")
        #expect(TerminalText.printable("\u{202A}\u{202B}\u{202C}\u{202D}\u{2067}\u{2068}")
            == "\\u{202A}\\u{202B}\\u{202C}\\u{202D}\\u{2067}\\u{2068}")
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
