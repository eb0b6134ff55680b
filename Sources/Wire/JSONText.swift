/// Minimal JSON writing for error bodies and hand-built documents, without Foundation.
public enum JSONText {
    private static let hexDigits = Array("0123456789abcdef".unicodeScalars)

    /// `string` as a JSON string literal with RFC 8259 escaping: quote, backslash and every
    /// control character below U+0020 are escaped; everything else is written as is.
    public static func quoted(_ string: String) -> String {
        var quoted = "\""
        quoted.reserveCapacity(string.utf8.count + 2)
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": quoted += "\\\""
            case "\\": quoted += "\\\\"
            case "\n": quoted += "\\n"
            case "\r": quoted += "\\r"
            case "\t": quoted += "\\t"
            case "\u{08}": quoted += "\\b"
            case "\u{0C}": quoted += "\\f"
            case "\u{00}"..."\u{1F}":
                quoted += "\\u00"
                quoted.unicodeScalars.append(hexDigits[Int(scalar.value >> 4)])
                quoted.unicodeScalars.append(hexDigits[Int(scalar.value & 0xF)])
            default:
                quoted.unicodeScalars.append(scalar)
            }
        }
        quoted += "\""
        return quoted
    }

    /// The project's error document: `{"error":{"code":"...","message":"..."}}` in UTF-8.
    public static func errorBody(code: String, message: String) -> [UInt8] {
        Array("{\"error\":{\"code\":\(quoted(code)),\"message\":\(quoted(message))}}".utf8)
    }
}
