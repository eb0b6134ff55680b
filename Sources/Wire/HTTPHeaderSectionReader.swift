/// Reads a header or trailer section line by line up to the empty line that ends it, enforcing
/// the line count and byte limits while lines are still arriving.
struct HTTPHeaderSectionReader: Sendable {
    private var headers = HTTPHeaders()
    private var lineCount = 0
    private var sectionBytes = 0

    /// The complete section, or nil when more bytes are needed.
    mutating func read(from buffer: inout ReadBuffer, limits: HTTPParserLimits)
        throws(HTTPParseError) -> HTTPHeaders?
    {
        while lineCount <= limits.headerCountMaximum {
            let lineTerminatorBytes = 2
            let lineMaximumBytes = limits.headerBytesMaximum - sectionBytes - lineTerminatorBytes
            switch buffer.readLine(maximumBytes: lineMaximumBytes) {
            case .incomplete:
                return nil
            case .tooLong:
                throw .headersTooLarge
            case .bareLineFeed:
                throw .badRequest("header lines must end with CRLF, not a bare LF")
            case let .line(line):
                if line.isEmpty { return headers }
                lineCount += 1
                sectionBytes += line.count + lineTerminatorBytes
                guard lineCount <= limits.headerCountMaximum else { throw .headersTooLarge }
                let field = try HTTPFieldLine.parse(line)
                headers.add(name: field.name, value: field.value)
            }
        }
        throw .headersTooLarge
    }
}
