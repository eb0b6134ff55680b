import Testing
@testable import Wire

@Suite struct HTTPResponseSerializerTests {
    @Test func headIsStatusLineHeadersAndBlankLine() {
        let head = HTTPResponseHead(status: 404, headers: HTTPHeaders([("Content-Length", "0"), ("X-A", "b")]))
        let text = String(decoding: HTTPResponseSerializer.head(head), as: UTF8.self)
        #expect(text == "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nX-A: b\r\n\r\n")
    }

    @Test func explicitReasonAndVersionAreWritten() {
        var head = HTTPResponseHead(status: 299, reason: "Custom")
        head.versionMinor = 0
        #expect(String(decoding: HTTPResponseSerializer.head(head), as: UTF8.self) == "HTTP/1.0 299 Custom\r\n\r\n")
    }

    @Test func lineBreaksInValuesCannotSplitTheResponse() {
        let hostile = "x\r\nSet-Cookie: stolen=1\r\n\r\n<html>"
        let head = HTTPResponseHead(status: 200, headers: HTTPHeaders([("Location", hostile)]), reason: "OK\r\nX: y")
        let bytes = HTTPResponseSerializer.head(head)
        #expect(bytes.filter { $0 == ASCII.lineFeed }.count == 3)
        let run = parseResponses(onePiece(bytes + Array("Content-Length: 0\r\n\r\n".utf8)))
        #expect(run.error == nil)
        guard case let .head(parsed) = run.events.first else {
            Issue.record("expected a head")
            return
        }
        #expect(parsed.headers.values("Set-Cookie").isEmpty)
        #expect(parsed.headers.count == 1)
    }

    @Test func chunkIsHexSizeDataAndCRLF() {
        let chunk = HTTPResponseSerializer.chunk([UInt8](repeating: 0x61, count: 26))
        #expect(String(decoding: chunk, as: UTF8.self) == "1a\r\n" + String(repeating: "a", count: 26) + "\r\n")
    }

    @Test func emptyChunkWritesNothingSoItCannotEndTheBody() {
        #expect(HTTPResponseSerializer.chunk([]).isEmpty)
        #expect(HTTPResponseSerializer.lastChunk == Array("0\r\n\r\n".utf8))
    }

    @Test func serializedChunkedResponseParsesBack() {
        let head = HTTPResponseHead(status: 200, headers: HTTPHeaders([("Transfer-Encoding", "chunked")]))
        let bytes = HTTPResponseSerializer.head(head) + HTTPResponseSerializer.chunk(Array("hello ".utf8))
            + HTTPResponseSerializer.chunk(Array("world".utf8)) + HTTPResponseSerializer.lastChunk
        let run = parseResponses(onePiece(bytes))
        #expect(run.error == nil)
        #expect(run.events == [.head(head), .body(Array("hello world".utf8)), .end])
    }

    @Test func requestHeadPercentEncodesBytesNotAllowedInATarget() {
        let bytes = HTTPResponseSerializer.request(
            method: "GET", target: "/api/v1/environments/a b\r\né", headers: HTTPHeaders([("Host", "c")]))
        #expect(String(decoding: bytes, as: UTF8.self)
            == "GET /api/v1/environments/a%20b%0D%0A%C3%A9 HTTP/1.1\r\nHost: c\r\n\r\n")
    }

    @Test func serializedRequestParsesBackToTheSameRequest() throws {
        let bytes = HTTPResponseSerializer.request(
            method: "PUT", target: "/modules/web/1.2?sha256=ab", headers: HTTPHeaders([("Content-Length", "0")]))
        let head = try #require(requestHeads(parseRequests(onePiece(bytes))).first)
        #expect(head.method == "PUT")
        #expect(head.path == "/modules/web/1.2")
        #expect(head.query == "sha256=ab")
        #expect(head.headers["content-length"] == "0")
    }

    @Test func reasonPhrasesCoverTheProjectsStatuses() {
        #expect(HTTPResponseSerializer.reasonPhrase(200) == "OK")
        #expect(HTTPResponseSerializer.reasonPhrase(413) == "Content Too Large")
        #expect(HTTPResponseSerializer.reasonPhrase(431) == "Request Header Fields Too Large")
        #expect(HTTPResponseSerializer.reasonPhrase(429) == "Too Many Requests")
        #expect(HTTPResponseSerializer.reasonPhrase(599) == "")
    }
}
