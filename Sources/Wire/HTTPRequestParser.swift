/// An incremental, pull-based HTTP/1.1 request parser: `append` bytes as they arrive, then
/// call `next()` until it returns nil. Pipelined requests are parsed one after another.
///
/// Bodies stream as `.body` events of at most `bodyEventMaximumBytes`, never buffered whole.
/// Limits are enforced while bytes arrive, so when the owner drains with `next()` after every
/// `append`, the buffer never holds more than one head's worth of limits plus one appended
/// chunk. Lines must end in CRLF: a bare LF is rejected (400) rather than guessed at. A
/// missing Host header is tolerated; a repeated one is rejected. After an error the parser
/// keeps throwing it and drops further input.
public struct HTTPRequestParser: Sendable {
    /// The largest `.body` event.
    public static let bodyEventMaximumBytes = 64 * 1024
    /// Empty lines tolerated before a request line (RFC 9112 asks servers to skip at least one,
    /// which clients send after a body by mistake).
    static let emptyLinesBeforeRequestMaximum = 4
    /// Transitions that can happen in one call without returning an event.
    private static let transitionsPerEventMaximum = 4

    private enum State: Sendable {
        case requestLine
        case headers(HTTPRequestLine)
        case bodyStart(HTTPBodyFraming)
        case body(HTTPBodyReader)
    }

    /// May be changed between events, e.g. raising `bodyMaximumBytes` after `.head` for an
    /// upload route: the body limit is checked only once the body is read.
    public var limits: HTTPParserLimits

    private var buffer = ReadBuffer()
    private var state = State.requestLine
    private var emptyLinesSkipped = 0
    /// Bytes of a partial request line already checked as method characters.
    private var methodBytesChecked = 0
    private var headerReader = HTTPHeaderSectionReader()
    private var failure: HTTPParseError?

    public init(limits: HTTPParserLimits = .init()) {
        self.limits = limits
    }

    /// Bytes received but not yet turned into events.
    public var bufferedBytes: Int { buffer.readableBytes }

    /// True between requests with nothing buffered.
    public var isIdle: Bool {
        guard case .requestLine = state else { return false }
        return failure == nil && buffer.isEmpty
    }

    public mutating func append(_ bytes: some Collection<UInt8>) {
        guard failure == nil else { return }
        buffer.append(bytes)
    }

    /// The next event, or nil when more bytes are needed.
    public mutating func next() throws(HTTPParseError) -> HTTPParseEvent? {
        if let failure { throw failure }
        do throws(HTTPParseError) {
            return try step()
        } catch {
            failure = error
            buffer = ReadBuffer()
            throw error
        }
    }

    private mutating func step() throws(HTTPParseError) -> HTTPParseEvent? {
        for _ in 0..<Self.transitionsPerEventMaximum {
            switch state {
            case .requestLine:
                guard let line = try readRequestLine() else { return nil }
                state = .headers(line)
            case let .headers(line):
                guard let headers = try headerReader.read(from: &buffer, limits: limits) else { return nil }
                headerReader = HTTPHeaderSectionReader()
                var head = try Self.makeHead(line: line, headers: headers)
                let framing = try HTTPBodyFraming.forRequest(headers: headers, versionMinor: line.versionMinor)
                head.declaresBody = framing != .none && framing != .length(0)
                state = .bodyStart(framing)
                return .head(head)
            case let .bodyStart(framing):
                precondition(framing != .untilClose, "request framing is never read-until-close")
                state = .body(try HTTPBodyReader(framing: framing, limits: limits))
            case var .body(reader):
                let event = try reader.next(from: &buffer, limits: limits, isClosed: false)
                state = event == .end ? .requestLine : .body(reader)
                switch event {
                case nil: return nil
                case let .body(bytes): return .body(bytes)
                case .end:
                    emptyLinesSkipped = 0
                    return .end
                }
            }
        }
        preconditionFailure("request parser did not settle within \(Self.transitionsPerEventMaximum) transitions")
    }

    private mutating func readRequestLine() throws(HTTPParseError) -> HTTPRequestLine? {
        while emptyLinesSkipped <= Self.emptyLinesBeforeRequestMaximum {
            try checkMethodBytes()
            switch buffer.readLine(maximumBytes: limits.requestLineMaximumBytes) {
            case .incomplete:
                return nil
            case .tooLong:
                throw .requestLineTooLong
            case .bareLineFeed:
                throw .badRequest("request line must end with CRLF, not a bare LF")
            case let .line(line):
                methodBytesChecked = 0
                guard line.isEmpty else { return try HTTPRequestLine(parsing: line) }
                emptyLinesSkipped += 1
            }
        }
        throw .badRequest("too many empty lines before the request line")
    }

    /// Refuses a request line whose method holds a byte no method may have as soon as that byte
    /// arrives, not when a line feed does: garbage is answered at once rather than after the head
    /// timeout. Checked before the line is split, so the error is the same however the bytes
    /// were cut. A lone CR, or CRLF, may be an empty line before the request and is left to
    /// `readLine`; CR followed by anything else is a method byte like any other, and refused.
    private mutating func checkMethodBytes() throws(HTTPParseError) {
        guard !buffer.isEmpty else { return }
        if buffer.byte(at: 0) == ASCII.carriageReturn,
           buffer.readableBytes == 1 || buffer.byte(at: 1) == ASCII.lineFeed { return }
        let end = min(buffer.readableBytes, limits.requestLineMaximumBytes)
        while methodBytesChecked < end {
            let byte = buffer.byte(at: methodBytesChecked)
            if byte == ASCII.space, methodBytesChecked > 0 { return }
            guard HTTPSyntax.isTokenByte(byte) else {
                throw .badRequest("method is empty or contains characters not allowed in a token")
            }
            methodBytesChecked += 1
        }
    }

    private static func makeHead(line: HTTPRequestLine, headers: HTTPHeaders) throws(HTTPParseError)
        -> HTTPRequestHead
    {
        guard headers.values("Host").count <= 1 else {
            throw .badRequest("request has more than one Host header")
        }
        let target = try HTTPRequestTarget.split(line.target, method: line.method)
        return HTTPRequestHead(
            method: line.method,
            target: line.target,
            path: target.path,
            query: target.query,
            versionMinor: line.versionMinor,
            headers: headers,
            keepAlive: HTTPRequestHead.keepAlive(versionMinor: line.versionMinor, headers: headers)
        )
    }
}
