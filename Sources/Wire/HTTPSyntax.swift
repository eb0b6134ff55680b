/// The HTTP/1.1 character classes and list syntax of RFC 9110 and RFC 9112.
enum HTTPSyntax {
    /// `tchar`: the characters allowed in methods, header names and transfer codings.
    static func isTokenByte(_ byte: UInt8) -> Bool {
        if ASCII.isDigit(byte) || ASCII.isLetter(byte) { return true }
        switch byte {
        case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"),
            UInt8(ascii: "&"), UInt8(ascii: "'"), UInt8(ascii: "*"), UInt8(ascii: "+"),
            UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "^"), UInt8(ascii: "_"),
            UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }

    static func isToken(_ bytes: some Collection<UInt8>) -> Bool {
        !bytes.isEmpty && bytes.allSatisfy(isTokenByte)
    }

    static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == ASCII.space || byte == ASCII.tab
    }

    /// Visible ASCII without space: the bytes of a request target.
    static func isVisible(_ byte: UInt8) -> Bool {
        byte > ASCII.space && byte < ASCII.delete
    }

    /// Bytes allowed in a field value or reason phrase: tab, visible ASCII, space and obs-text.
    /// Every other control character, CR and LF above all, is excluded.
    static func isFieldValueByte(_ byte: UInt8) -> Bool {
        byte == ASCII.tab || (byte >= ASCII.space && byte != ASCII.delete)
    }

    static func trimmingWhitespace(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        guard let first = bytes.firstIndex(where: { !isWhitespace($0) }),
            let last = bytes.lastIndex(where: { !isWhitespace($0) })
        else { return bytes[bytes.endIndex...] }
        return bytes[first...last]
    }

    /// The non-empty, trimmed, lowercased elements of comma-separated header values
    /// (`Connection: keep-alive, Upgrade`).
    static func lowercasedListElements(_ values: [String]) -> [String] {
        values.flatMap { value in
            Array(value.utf8).split(separator: ASCII.comma).compactMap { element in
                let trimmed = trimmingWhitespace(element)
                return trimmed.isEmpty
                    ? nil : String(decoding: trimmed.map(ASCII.lowercased), as: UTF8.self)
            }
        }
    }
}
