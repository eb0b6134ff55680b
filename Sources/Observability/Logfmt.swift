import Primitives

/// Encodes keys and values for logfmt lines so that every line stays one line and parses
/// back to the same fields: values are quoted when they hold spaces, quotes, `=`, `\` or
/// control characters, and escaped inside the quotes.
enum Logfmt {
    /// Longest key kept; longer keys are cut so a careless caller cannot grow a line unbounded.
    static let keyMaximumBytes = 64
    /// Longest value kept (UTF-8 bytes, before escaping); longer values end in `truncationMarker`.
    static let valueMaximumBytes = 4096
    /// Appended to a value that was cut at `valueMaximumBytes`.
    static let truncationMarker = "[truncated]"

    /// Appends ` key=value` (with a leading space unless `line` is empty).
    static func appendField(key: String, value: String, alwaysQuote: Bool = false, to line: inout String) {
        if !line.isEmpty { line += " " }
        line += sanitizedKey(key)
        line += "="
        line += encodedValue(value, alwaysQuote: alwaysQuote)
    }

    /// A key made only of ASCII letters, digits, `_`, `.` and `-`; other characters become `_`.
    static func sanitizedKey(_ key: String) -> String {
        var result = String.UnicodeScalarView()
        for scalar in key.unicodeScalars.prefix(keyMaximumBytes) {
            result.append(isKeyScalar(scalar) ? scalar : "_")
        }
        return result.isEmpty ? "_" : String(result)
    }

    /// The value as written after `=`: bare when that is unambiguous, quoted otherwise.
    static func encodedValue(_ value: String, alwaysQuote: Bool = false) -> String {
        let bounded = truncated(value)
        guard alwaysQuote || bounded.isEmpty || bounded.unicodeScalars.contains(where: needsQuoting) else {
            return bounded
        }
        var result = String.UnicodeScalarView()
        result.append("\"")
        for scalar in bounded.unicodeScalars {
            appendEscaped(scalar, to: &result)
        }
        result.append("\"")
        return String(result)
    }

    /// True for scalars a reader could take as a line break or that terminals interpret.
    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F, 0x2028, 0x2029: true
        default: false
        }
    }

    private static func truncated(_ value: String) -> String {
        guard value.utf8.count > valueMaximumBytes else { return value }
        return value.truncated(toUTF8Bytes: valueMaximumBytes) + truncationMarker
    }

    private static func needsQuoting(_ scalar: Unicode.Scalar) -> Bool {
        scalar == " " || scalar == "=" || scalar == "\"" || scalar == "\\" || isControl(scalar)
    }

    private static func isKeyScalar(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "a"..."z", "A"..."Z", "0"..."9", "_", ".", "-": true
        default: false
        }
    }

    private static func appendEscaped(_ scalar: Unicode.Scalar, to result: inout String.UnicodeScalarView) {
        switch scalar {
        case "\\": result.append(contentsOf: "\\\\".unicodeScalars)
        case "\"": result.append(contentsOf: "\\\"".unicodeScalars)
        case "\n": result.append(contentsOf: "\\n".unicodeScalars)
        case "\r": result.append(contentsOf: "\\r".unicodeScalars)
        case "\t": result.append(contentsOf: "\\t".unicodeScalars)
        default:
            if isControl(scalar) {
                result.append(contentsOf: unicodeEscape(scalar).unicodeScalars)
            } else {
                result.append(scalar)
            }
        }
    }

    private static func unicodeEscape(_ scalar: Unicode.Scalar) -> String {
        let hex = String(scalar.value, radix: 16)
        return "\\u" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }
}
