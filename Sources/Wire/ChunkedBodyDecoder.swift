/// Decodes a chunked message body (RFC 9112 section 7.1) from a `ReadBuffer`: yields chunk
/// data as it arrives, ignores chunk extensions, and reads and discards the trailer section.
struct ChunkedBodyDecoder: Sendable {
    private enum State: Sendable, Equatable {
        case size
        case data(remainingBytes: Int)
        case dataTerminator
        case trailers
        case done
    }

    /// Transitions that can happen in one call without returning (terminator, size, trailers).
    private static let transitionsPerEventMaximum = 4
    /// Hex digits beyond this would overflow `Int`.
    private static let chunkSizeDigitsMaximum = 15

    private var state = State.size
    private var trailerReader = HTTPHeaderSectionReader()
    private var bodyReceivedBytes = 0

    /// The next piece of body (at most `eventMaximumBytes`), `.end` after the trailers, or nil
    /// when more bytes are needed. Checks `limits.bodyMaximumBytes` against each declared
    /// chunk size before reading its data.
    mutating func next(from buffer: inout ReadBuffer, limits: HTTPParserLimits, eventMaximumBytes: Int)
        throws(HTTPParseError) -> HTTPBodyEvent?
    {
        for _ in 0..<Self.transitionsPerEventMaximum {
            switch state {
            case .size:
                guard let size = try readChunkSize(from: &buffer, limits: limits) else { return nil }
                guard size > 0 else {
                    state = .trailers
                    continue
                }
                guard size <= limits.bodyMaximumBytes - bodyReceivedBytes else {
                    throw .bodyTooLarge(maximumBytes: limits.bodyMaximumBytes)
                }
                state = .data(remainingBytes: size)
            case let .data(remainingBytes):
                let count = min(remainingBytes, buffer.readableBytes, eventMaximumBytes)
                guard count > 0 else { return nil }
                bodyReceivedBytes += count
                state = count == remainingBytes ? .dataTerminator : .data(remainingBytes: remainingBytes - count)
                return .body(buffer.read(count))
            case .dataTerminator:
                guard buffer.readableBytes >= 2 else { return nil }
                guard buffer.byte(at: 0) == ASCII.carriageReturn, buffer.byte(at: 1) == ASCII.lineFeed else {
                    throw .badRequest("chunk data is not followed by CRLF; the chunk size does not match its data")
                }
                buffer.skip(2)
                state = .size
            case .trailers:
                guard try trailerReader.read(from: &buffer, limits: limits) != nil else { return nil }
                state = .done
                return .end
            case .done:
                return nil
            }
        }
        preconditionFailure("chunked decoder did not settle within \(Self.transitionsPerEventMaximum) transitions")
    }

    private func readChunkSize(from buffer: inout ReadBuffer, limits: HTTPParserLimits)
        throws(HTTPParseError) -> Int?
    {
        switch buffer.readLine(maximumBytes: limits.chunkLineMaximumBytes) {
        case .incomplete:
            return nil
        case .tooLong:
            throw .badRequest("chunk size line is longer than \(limits.chunkLineMaximumBytes) bytes")
        case .bareLineFeed:
            throw .badRequest("chunk size line must end with CRLF, not a bare LF")
        case let .line(line):
            return try Self.parseChunkSize(line)
        }
    }

    /// `chunk-size [ BWS ";" chunk-ext ]`: hex digits, then nothing or an extension, which is
    /// checked for control characters and otherwise ignored.
    static func parseChunkSize(_ line: [UInt8]) throws(HTTPParseError) -> Int {
        let digits = line.prefix { ASCII.hexValue($0) != nil }
        guard !digits.isEmpty else {
            throw .badRequest("chunk size is not a hexadecimal number")
        }
        let significant = digits.drop { $0 == UInt8(ascii: "0") }
        guard significant.count <= chunkSizeDigitsMaximum else {
            throw .badRequest("chunk size overflows")
        }
        let size = significant.reduce(0) { $0 << 4 | (ASCII.hexValue($1) ?? 0) }
        let rest = line[digits.endIndex...].drop(while: HTTPSyntax.isWhitespace)
        guard rest.isEmpty ? digits.endIndex == line.endIndex : rest.first == ASCII.semicolon else {
            throw .badRequest("chunk size is followed by something other than an extension")
        }
        guard rest.allSatisfy(HTTPSyntax.isFieldValueByte) else {
            throw .badRequest("chunk extension contains a control character")
        }
        return size
    }
}
