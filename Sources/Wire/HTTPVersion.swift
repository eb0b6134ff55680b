/// Parses the `HTTP/1.x` version token of request and status lines.
enum HTTPVersion {
    private static let prefix = Array("HTTP/".utf8)
    /// `HTTP/` plus digit, dot, digit.
    private static let tokenBytes = prefix.count + 3

    /// The minor version (0 or 1). Well-formed but other versions are unsupported (505);
    /// anything else is malformed (400).
    static func parseMinor(_ bytes: ArraySlice<UInt8>) throws(HTTPParseError) -> Int {
        guard bytes.count == tokenBytes, bytes.starts(with: prefix) else {
            throw .badRequest("expected an HTTP version like HTTP/1.1")
        }
        let digits = bytes.dropFirst(prefix.count)
        let major = digits[digits.startIndex]
        let dot = digits[digits.startIndex + 1]
        let minor = digits[digits.startIndex + 2]
        guard ASCII.isDigit(major), dot == UInt8(ascii: "."), ASCII.isDigit(minor) else {
            throw .badRequest("expected an HTTP version like HTTP/1.1")
        }
        guard major == UInt8(ascii: "1"), minor <= UInt8(ascii: "1") else {
            throw .versionNotSupported
        }
        return Int(minor - UInt8(ascii: "0"))
    }
}
