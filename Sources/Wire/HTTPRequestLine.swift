/// The parsed first line of a request: `method SP request-target SP HTTP-version`.
struct HTTPRequestLine: Sendable, Equatable {
    var method: String
    var target: String
    var versionMinor: Int

    /// Parses `line` (without CRLF). Exactly one space separates the three parts, as RFC 9112
    /// requires; lenient splitting on other whitespace is a smuggling vector.
    init(parsing line: [UInt8]) throws(HTTPParseError) {
        let parts = line.split(separator: ASCII.space, maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3 else {
            throw .badRequest("request line must be 'METHOD target HTTP/1.1'")
        }
        guard HTTPSyntax.isToken(parts[0]) else {
            throw .badRequest("method is empty or contains characters not allowed in a token")
        }
        guard !parts[1].isEmpty, parts[1].allSatisfy(HTTPSyntax.isVisible) else {
            throw .badRequest("request target is empty or contains spaces or control characters")
        }
        versionMinor = try HTTPVersion.parseMinor(parts[2])
        method = String(decoding: parts[0], as: UTF8.self)
        target = String(decoding: parts[1], as: UTF8.self)
    }
}
