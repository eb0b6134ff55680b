/// An incremental, pull-based HTTP/1.1 response parser for the client: `append` bytes as they
/// arrive, then call `next()` until it returns nil.
///
/// Bodies are framed by Content-Length, chunked encoding, or the connection closing: on EOF
/// the owner calls `finishOnClose()`, which ends a read-until-close body and reports a
/// response cut short. Call `expectNoBody()` after sending a HEAD request. Malformed responses
/// are reported as `HTTPParseError.badRequest` with a message naming the fault. Limits,
/// CRLF strictness and poisoning after an error are as in `HTTPRequestParser`; the status
/// line is bounded by `requestLineMaximumBytes`.
public struct HTTPResponseParser: Sendable {
    /// The largest `.body` event.
    public static let bodyEventMaximumBytes = HTTPRequestParser.bodyEventMaximumBytes
    /// Transitions that can happen in one call without returning an event.
    private static let transitionsPerEventMaximum = 4

    private enum State: Sendable {
        case statusLine
        case headers(HTTPStatusLine)
        case bodyStart(HTTPBodyFraming)
        case body(HTTPBodyReader)
    }

    public var limits: HTTPParserLimits

    private var buffer = ReadBuffer()
    private var state = State.statusLine
    private var headerReader = HTTPHeaderSectionReader()
    private var isNextFinalResponseBodiless = false
    private var isClosed = false
    private var failure: HTTPParseError?

    public init(limits: HTTPParserLimits = .init()) {
        self.limits = limits
    }

    /// Bytes received but not yet turned into events.
    public var bufferedBytes: Int { buffer.readableBytes }

    /// True between responses with nothing buffered.
    public var isIdle: Bool {
        guard case .statusLine = state else { return false }
        return failure == nil && buffer.isEmpty
    }

    public mutating func append(_ bytes: some Collection<UInt8>) {
        guard failure == nil else { return }
        buffer.append(bytes)
    }

    /// Declares that the next final (non-1xx) response answers a HEAD request, so it has no
    /// body whatever its headers say.
    public mutating func expectNoBody() {
        isNextFinalResponseBodiless = true
    }

    /// Records that the connection closed and returns the next event. Keep calling `next()`
    /// until nil afterwards. Throws if the close cut a response short.
    public mutating func finishOnClose() throws(HTTPParseError) -> HTTPResponseEvent? {
        isClosed = true
        return try next()
    }

    /// The next event, or nil when more bytes are needed (or, after close, when done).
    public mutating func next() throws(HTTPParseError) -> HTTPResponseEvent? {
        if let failure { throw failure }
        do throws(HTTPParseError) {
            let event = try step()
            if event == nil, isClosed, !isIdle {
                throw .badRequest("connection closed before the response was complete")
            }
            return event
        } catch {
            failure = error
            buffer = ReadBuffer()
            throw error
        }
    }

    private mutating func step() throws(HTTPParseError) -> HTTPResponseEvent? {
        for _ in 0..<Self.transitionsPerEventMaximum {
            switch state {
            case .statusLine:
                guard let line = try readStatusLine() else { return nil }
                state = .headers(line)
            case let .headers(line):
                guard let headers = try headerReader.read(from: &buffer, limits: limits) else { return nil }
                headerReader = HTTPHeaderSectionReader()
                return .head(try startResponse(line: line, headers: headers))
            case let .bodyStart(framing):
                state = .body(try HTTPBodyReader(framing: framing, limits: limits))
            case var .body(reader):
                let event = try reader.next(from: &buffer, limits: limits, isClosed: isClosed)
                state = event == .end ? .statusLine : .body(reader)
                switch event {
                case nil: return nil
                case let .body(bytes): return .body(bytes)
                case .end: return .end
                }
            }
        }
        preconditionFailure("response parser did not settle within \(Self.transitionsPerEventMaximum) transitions")
    }

    private mutating func readStatusLine() throws(HTTPParseError) -> HTTPStatusLine? {
        switch buffer.readLine(maximumBytes: limits.requestLineMaximumBytes) {
        case .incomplete:
            return nil
        case .tooLong:
            throw .badRequest("status line is longer than \(limits.requestLineMaximumBytes) bytes")
        case .bareLineFeed:
            throw .badRequest("status line must end with CRLF, not a bare LF")
        case let .line(line):
            return try HTTPStatusLine(parsing: line)
        }
    }

    private mutating func startResponse(line: HTTPStatusLine, headers: HTTPHeaders)
        throws(HTTPParseError) -> HTTPResponseHead
    {
        let isFinal = line.status >= 200
        let isBodyAllowed = !(isFinal && isNextFinalResponseBodiless)
        if isFinal { isNextFinalResponseBodiless = false }
        let framing = try HTTPBodyFraming.forResponse(
            status: line.status, headers: headers, isBodyAllowed: isBodyAllowed)
        state = .bodyStart(framing)
        var head = HTTPResponseHead(status: line.status, headers: headers, reason: line.reason)
        head.versionMinor = line.versionMinor
        return head
    }
}
