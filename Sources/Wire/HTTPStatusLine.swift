/// The parsed first line of a response: `HTTP-version SP status-code SP [reason-phrase]`.
struct HTTPStatusLine: Sendable, Equatable {
    var versionMinor: Int
    var status: Int
    var reason: String

    /// Parses `line` (without CRLF). A missing reason phrase, with or without its space, is
    /// accepted since some servers omit it.
    init(parsing line: [UInt8]) throws(HTTPParseError) {
        let parts = line.split(separator: ASCII.space, maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count >= 2 else {
            throw .badRequest("status line must be 'HTTP/1.1 status reason'")
        }
        versionMinor = try HTTPVersion.parseMinor(parts[0])
        let code = parts[1]
        guard code.count == 3, code.allSatisfy(ASCII.isDigit), code.first != UInt8(ascii: "0") else {
            throw .badRequest("status code must be three digits from 100 to 999")
        }
        status = code.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
        let reasonBytes = parts.count == 3 ? parts[2] : []
        guard reasonBytes.allSatisfy(HTTPSyntax.isFieldValueByte) else {
            throw .badRequest("reason phrase contains a control character")
        }
        reason = String(decoding: reasonBytes, as: UTF8.self)
    }
}
