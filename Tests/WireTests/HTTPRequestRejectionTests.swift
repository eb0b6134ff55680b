import Testing
@testable import Wire

@Suite struct HTTPRequestRejectionTests {
    struct RejectionCase: Sendable, CustomTestStringConvertible {
        var name: String
        var request: String
        var status: Int
        var testDescription: String { name }
    }

    static let cases: [RejectionCase] = [
        .init(name: "chunk size is not hex", request: "POST / HTTP/1.1\nTransfer-Encoding: chunked\n\nxyz\n", status: 400),
        .init(name: "chunk size is negative", request: "POST / HTTP/1.1\nTransfer-Encoding: chunked\n\n-5\n", status: 400),
        .init(name: "chunk data without CRLF", request: "POST / HTTP/1.1\nTransfer-Encoding: chunked\n\n3\nabcX\n0\n\n", status: 400),
        .init(name: "chunk size overflows", request: "POST / HTTP/1.1\nTransfer-Encoding: chunked\n\nFFFFFFFFFFFFFFFFFFFF\n", status: 400),
        .init(name: "chunk size followed by junk", request: "POST / HTTP/1.1\nTransfer-Encoding: chunked\n\n3 x\nabc\n", status: 400),
        .init(name: "Content-Length with Transfer-Encoding",
              request: "POST / HTTP/1.1\nContent-Length: 3\nTransfer-Encoding: chunked\n\n", status: 400),
        .init(name: "Content-Length values differ", request: "POST / HTTP/1.1\nContent-Length: 3\nContent-Length: 4\n\n", status: 400),
        .init(name: "Content-Length list differs", request: "POST / HTTP/1.1\nContent-Length: 3, 4\n\n", status: 400),
        .init(name: "Content-Length has a sign", request: "POST / HTTP/1.1\nContent-Length: +3\n\n", status: 400),
        .init(name: "Content-Length is empty", request: "POST / HTTP/1.1\nContent-Length:\n\n", status: 400),
        .init(name: "Transfer-Encoding on HTTP/1.0", request: "POST / HTTP/1.0\nTransfer-Encoding: chunked\n\n", status: 400),
        .init(name: "chunked twice", request: "POST / HTTP/1.1\nTransfer-Encoding: chunked, chunked\n\n", status: 400),
        .init(name: "unknown transfer coding", request: "POST / HTTP/1.1\nTransfer-Encoding: gzip, chunked\n\n", status: 501),
        .init(name: "obsolete line folding", request: "GET / HTTP/1.1\nX-A: one\n two\n\n", status: 400),
        .init(name: "whitespace before colon", request: "GET / HTTP/1.1\nHost : h\n\n", status: 400),
        .init(name: "header without colon", request: "GET / HTTP/1.1\nHost\n\n", status: 400),
        .init(name: "control character in value", request: "GET / HTTP/1.1\nX-A: a\u{01}b\n\n", status: 400),
        .init(name: "bare CR in value", request: "GET / HTTP/1.1\nX-A: a\rb\n\n", status: 400),
        .init(name: "method is not a token", request: "G(T / HTTP/1.1\n\n", status: 400),
        .init(name: "two spaces in request line", request: "GET  / HTTP/1.1\n\n", status: 400),
        .init(name: "request line without version", request: "GET /\n\n", status: 400),
        .init(name: "malformed version", request: "GET / HTTQ/1.1\n\n", status: 400),
        .init(name: "HTTP/2.0", request: "GET / HTTP/2.0\n\n", status: 505),
        .init(name: "HTTP/1.2", request: "GET / HTTP/1.2\n\n", status: 505),
        .init(name: "relative target", request: "GET a/b HTTP/1.1\n\n", status: 400),
        .init(name: "asterisk without OPTIONS", request: "GET * HTTP/1.1\n\n", status: 400),
        .init(name: "encoded slash in path", request: "GET /a%2Fb HTTP/1.1\n\n", status: 400),
        .init(name: "encoded NUL in path", request: "GET /a%00 HTTP/1.1\n\n", status: 400),
        .init(name: "truncated escape in path", request: "GET /a%4 HTTP/1.1\n\n", status: 400),
        .init(name: "path is not UTF-8", request: "GET /%FF HTTP/1.1\n\n", status: 400),
        .init(name: "two Host headers", request: "GET / HTTP/1.1\nHost: a\nHost: b\n\n", status: 400),
    ]

    @Test(arguments: cases)
    func malformedRequestIsRejected(testCase: RejectionCase) {
        let error = requestError(http(testCase.request))
        #expect(error?.status == testCase.status, "\(String(describing: error))")
    }

    /// Garbage is refused as its first bad byte arrives, not when the head timeout ends the wait for a line feed.
    @Test(arguments: ["G(", "\u{16}\u{03}\u{01}", " GET", "GET\u{00}", "\rGARBAGE", "\r\r", "\r ", "\r\nG("])
    func aMethodThatCannotBeATokenIsRefusedBeforeTheLineEnds(partial: String) {
        var parser = HTTPRequestParser()
        parser.append(Array(partial.utf8))
        #expect(throws: HTTPParseError.badRequest("method is empty or contains characters not allowed in a token")) {
            try parser.next()
        }
    }

    @Test(arguments: ["G", "GET", "GET ", "GET /a(b", "\r", "\r\n", "\r\nPO", "\r\n\r", "\r\n\r\nGET"])
    func aPartialLineThatCanStillBeARequestWaits(partial: String) throws {
        var parser = HTTPRequestParser()
        for byte in Array(partial.utf8) {
            parser.append([byte])
            #expect(try parser.next() == nil, "after \(partial.debugDescription)")
        }
    }

    /// Cut anywhere, a line that starts with CR and goes on with anything but LF is refused with
    /// the method error, as soon as its second byte arrives.
    @Test(arguments: ["\rGARBAGE\r\n\r\n", "\r\rGET / HTTP/1.1\r\n\r\n", "\r\n\rX"])
    func aLineStartingWithCRAndNotCRLFIsRefusedHoweverItIsCut(request: String) {
        let bytes = Array(request.utf8)
        for cut in 1..<bytes.count {
            var parser = HTTPRequestParser()
            parser.append(bytes[..<cut])
            var thrown: HTTPParseError?
            do {
                while try parser.next() != nil {}
                parser.append(bytes[cut...])
                while try parser.next() != nil {}
            } catch {
                thrown = error
            }
            #expect(thrown == .badRequest("method is empty or contains characters not allowed in a token"), "cut at \(cut)")
        }
    }

    @Test func bareLineFeedIsRejected() {
        let error = requestError(Array("GET / HTTP/1.1\nHost: a\n\n".utf8))
        #expect(error?.status == 400)
        #expect(error?.description.contains("bare LF") == true)
    }

    @Test func tooManyEmptyLinesBeforeTheRequestAreRejected() {
        let lines = String(repeating: "\n", count: HTTPRequestParser.emptyLinesBeforeRequestMaximum + 1)
        #expect(requestError(http(lines + "GET / HTTP/1.1\n\n"))?.status == 400)
    }

    @Test func overlongRequestLineIsRejectedBeforeItsEndArrives() {
        var limits = HTTPParserLimits()
        limits.requestLineMaximumBytes = 100
        let unterminated = Array("GET /".utf8) + [UInt8](repeating: 0x61, count: 200)
        let run = parseRequests(onePiece(unterminated), limits: limits)
        #expect(run.error == .requestLineTooLong)
        #expect(run.error?.status == 414)
    }

    @Test func requestLineAtExactlyTheLimitIsAccepted() {
        var limits = HTTPParserLimits()
        limits.requestLineMaximumBytes = 100
        let prefix = "GET /"
        let suffix = " HTTP/1.1"
        let path = String(repeating: "a", count: 100 - prefix.count - suffix.count)
        let run = parseRequests(onePiece(http(prefix + path + suffix + "\n\n")), limits: limits)
        #expect(run.error == nil)
    }

    @Test func hundredKilobytesOfHeadersAreRejectedWith431WhileTheBufferStaysBounded() {
        let limits = HTTPParserLimits()
        let header = "X-Filler: " + String(repeating: "f", count: 1000) + "\n"
        let text = "GET / HTTP/1.1\n" + String(repeating: header, count: 100) + "\n"
        let bytes = http(text)
        let chunkBytes = 4096
        let pieces = stride(from: 0, to: bytes.count, by: chunkBytes).map { bytes[$0..<min(bytes.count, $0 + chunkBytes)] }
        let run = parseRequests(pieces, limits: limits)
        #expect(run.error == .headersTooLarge)
        #expect(run.error?.status == 431)
        #expect(run.error?.code == "headers_too_large")
        #expect(run.bufferedBytesPeak <= limits.requestLineMaximumBytes + limits.headerBytesMaximum)
    }

    @Test func singleEndlessHeaderLineIsRejectedWithoutWaitingForItsEnd() {
        var limits = HTTPParserLimits()
        limits.headerBytesMaximum = 1000
        let bytes = http("GET / HTTP/1.1\nX-Endless: ") + [UInt8](repeating: 0x78, count: 1000)
        #expect(parseRequests(onePiece(bytes), limits: limits).error == .headersTooLarge)
    }

    @Test func headerCountOverTheLimitIsRejectedWith431() {
        var limits = HTTPParserLimits()
        limits.headerCountMaximum = 3
        let accepted = "GET / HTTP/1.1\nA: 1\nB: 2\nC: 3\n\n"
        let rejected = "GET / HTTP/1.1\nA: 1\nB: 2\nC: 3\nD: 4\n\n"
        #expect(parseRequests(onePiece(http(accepted)), limits: limits).error == nil)
        #expect(parseRequests(onePiece(http(rejected)), limits: limits).error == .headersTooLarge)
    }

    @Test func trailersOverTheHeaderLimitAreRejectedWith431() {
        var limits = HTTPParserLimits()
        limits.headerCountMaximum = 2
        let text = "POST / HTTP/1.1\nTransfer-Encoding: chunked\n\n0\nA: 1\nB: 2\nC: 3\n\n"
        #expect(parseRequests(onePiece(http(text)), limits: limits).error == .headersTooLarge)
    }

    @Test func overlongChunkLineIsMalformed() {
        var limits = HTTPParserLimits()
        limits.chunkLineMaximumBytes = 16
        let text = "POST / HTTP/1.1\nTransfer-Encoding: chunked\n\n1;" + String(repeating: "e", count: 20)
        #expect(parseRequests(onePiece(http(text)), limits: limits).error?.status == 400)
    }

    @Test func parserKeepsFailingAndDropsInputAfterAnError() {
        var parser = HTTPRequestParser()
        parser.append(http("GET / HTTP/9.9\n\n"))
        #expect(throws: HTTPParseError.versionNotSupported) { try parser.next() }
        parser.append(http("GET / HTTP/1.1\n\n"))
        #expect(parser.bufferedBytes == 0)
        #expect(!parser.isIdle)
        #expect(throws: HTTPParseError.versionNotSupported) { try parser.next() }
    }

    @Test func errorsMapToStatusAndCodeOnce() {
        let table: [(HTTPParseError, Int, String)] = [
            (.badRequest("x"), 400, "bad_request"),
            (.requestLineTooLong, 414, "uri_too_long"),
            (.headersTooLarge, 431, "headers_too_large"),
            (.bodyTooLarge(maximumBytes: 1), 413, "body_too_large"),
            (.notImplemented("x"), 501, "not_implemented"),
            (.versionNotSupported, 505, "version_not_supported"),
        ]
        for (error, status, code) in table {
            #expect(error.status == status)
            #expect(error.code == code)
        }
    }
}
