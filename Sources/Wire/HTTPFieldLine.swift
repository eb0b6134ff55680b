/// Parses one `name: value` header or trailer line.
enum HTTPFieldLine {
    /// `line` is non-empty and has no CRLF. The value loses surrounding spaces and tabs; bytes
    /// above 0x7F are decoded as UTF-8 with replacement characters.
    static func parse(_ line: [UInt8]) throws(HTTPParseError) -> (name: String, value: String) {
        precondition(!line.isEmpty, "the empty line ends a header section and is not a field")
        guard !HTTPSyntax.isWhitespace(line[0]) else {
            throw .badRequest(
                "header line starts with whitespace (obsolete line folding); send each header on one line")
        }
        guard let colon = line.firstIndex(of: ASCII.colon) else {
            throw .badRequest("header line has no ':'")
        }
        let name = line[..<colon]
        if let last = name.last, HTTPSyntax.isWhitespace(last) {
            throw .badRequest("whitespace between a header name and its ':' is not allowed")
        }
        guard HTTPSyntax.isToken(name) else {
            throw .badRequest("header name is empty or contains characters not allowed in a token")
        }
        let value = HTTPSyntax.trimmingWhitespace(line[(colon + 1)...])
        guard value.allSatisfy(HTTPSyntax.isFieldValueByte) else {
            throw .badRequest("header value contains a control character")
        }
        return (String(decoding: name, as: UTF8.self), String(decoding: value, as: UTF8.self))
    }
}
