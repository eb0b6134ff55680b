/// Writes HTTP/1.1 response heads and chunks for the server, and request heads for the client.
///
/// Response splitting is impossible by construction: header names must be tokens (a
/// precondition, since names are program constants), and any control character other than tab
/// in a header value, reason phrase or request target is neutralised before writing (values
/// may carry user input, which must never crash the server nor start a new line).
/// Serializers do not add headers such as Content-Length; the caller decides framing.
public enum HTTPResponseSerializer {
    /// The zero-size chunk and empty trailer section that end a chunked body.
    public static let lastChunk: [UInt8] = Array("0\r\n\r\n".utf8)

    private static let crlf: [UInt8] = [ASCII.carriageReturn, ASCII.lineFeed]
    private static let hexDigits = Array("0123456789ABCDEF".utf8)

    public static func head(_ head: HTTPResponseHead) -> [UInt8] {
        precondition((100...999).contains(head.status), "status \(head.status) is not three digits")
        precondition((0...1).contains(head.versionMinor), "only HTTP/1.0 and HTTP/1.1 can be written")
        var bytes = Array("HTTP/1.\(head.versionMinor) \(head.status) ".utf8)
        bytes.append(contentsOf: head.reason.utf8.map(neutralisingControl))
        bytes.append(contentsOf: crlf)
        appendHeaders(head.headers, to: &bytes)
        return bytes
    }

    /// One chunk of a chunked body. Empty input gives no bytes, since an empty chunk would
    /// end the body; use `lastChunk` for that.
    public static func chunk(_ bytes: some Collection<UInt8>) -> [UInt8] {
        guard !bytes.isEmpty else { return [] }
        var chunk = Array(String(bytes.count, radix: 16).utf8)
        chunk.reserveCapacity(chunk.count + bytes.count + 2 * crlf.count)
        chunk.append(contentsOf: crlf)
        chunk.append(contentsOf: bytes)
        chunk.append(contentsOf: crlf)
        return chunk
    }

    /// An HTTP/1.1 request head for the client. Bytes of `target` that may not appear in a
    /// request target (space, controls, non-ASCII) are percent-encoded.
    public static func request(method: String, target: String, headers: HTTPHeaders) -> [UInt8] {
        precondition(HTTPSyntax.isToken(method.utf8), "method '\(method)' is not an HTTP token")
        var bytes = Array(method.utf8)
        bytes.append(ASCII.space)
        for byte in target.utf8 {
            if HTTPSyntax.isVisible(byte) {
                bytes.append(byte)
            } else {
                bytes += [ASCII.percent, hexDigits[Int(byte >> 4)], hexDigits[Int(byte & 0xF)]]
            }
        }
        bytes.append(contentsOf: " HTTP/1.1".utf8)
        bytes.append(contentsOf: crlf)
        appendHeaders(headers, to: &bytes)
        return bytes
    }

    /// The standard phrase for `status`, or an empty string for statuses without one.
    public static func reasonPhrase(_ status: Int) -> String {
        HTTPReasonPhrases.phrase(status) ?? ""
    }

    private static func appendHeaders(_ headers: HTTPHeaders, to bytes: inout [UInt8]) {
        for (name, value) in headers {
            precondition(HTTPSyntax.isToken(name.utf8), "header name '\(name)' is not an HTTP token")
            bytes.append(contentsOf: name.utf8)
            bytes.append(ASCII.colon)
            bytes.append(ASCII.space)
            bytes.append(contentsOf: value.utf8.map(neutralisingControl))
            bytes.append(contentsOf: crlf)
        }
        bytes.append(contentsOf: crlf)
    }

    /// Replaces CR, LF, NUL and other controls (except tab) with a space.
    private static func neutralisingControl(_ byte: UInt8) -> UInt8 {
        HTTPSyntax.isFieldValueByte(byte) ? byte : ASCII.space
    }
}
