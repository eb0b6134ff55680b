/// Text a server sent, made safe to print on one terminal line: every C0 and C1 control
/// character, DEL, the line and paragraph separators and the bidirectional overrides and
/// isolates (which reorder what follows them on screen) shown as an escape (`\n`, `\u{1B}`), and at most `maximumBytes` of UTF-8
/// kept (then `…`). An API answer may be up to 16 MiB of anything; what the CLI prints of it
/// must neither break its one-line promise nor drive the terminal.
public enum TerminalText {
    /// Room for any message or name the project's servers send, with some to spare.
    public static let maximumBytes = 300

    public static func printable(_ text: some StringProtocol, maximumBytes: Int = maximumBytes) -> String {
        var result = ""
        var bytes = 0
        for scalar in text.unicodeScalars {
            let piece = escaped(scalar)
            bytes += piece.utf8.count
            guard bytes <= maximumBytes else { return result + "…" }
            result += piece
        }
        return result
    }

    private static func escaped(_ scalar: Unicode.Scalar) -> String {
        switch scalar.value {
        case 0x0A: "\\n"
        case 0x0D: "\\r"
        case 0x09: "\\t"
        case 0x00...0x1F, 0x7F...0x9F, 0x2028...0x2029, 0x202A...0x202E, 0x2066...0x2069:
            "\\u{\(String(scalar.value, radix: 16, uppercase: true))}"
        default: String(scalar)
        }
    }
}
