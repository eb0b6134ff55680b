import Testing
@testable import Wire

@Suite struct HTTPResponseParserTests {
    private func heads(_ run: ParserRun<HTTPResponseEvent>) -> [HTTPResponseHead] {
        run.events.compactMap {
            guard case let .head(head) = $0 else { return nil }
            return head
        }
    }

    @Test func contentLengthResponseYieldsHeadBodyEnd() throws {
        let run = parseResponses(onePiece(http("HTTP/1.1 201 Created\nContent-Length: 2\nX-Id: 7\n\nok")))
        #expect(run.error == nil)
        let head = try #require(heads(run).first)
        #expect(head.status == 201)
        #expect(head.reason == "Created")
        #expect(head.versionMinor == 1)
        #expect(head.headers["x-id"] == "7")
        #expect(Array(run.events.dropFirst()) == [.body(Array("ok".utf8)), .end])
    }

    @Test func chunkedResponseIsDecoded() {
        let run = parseResponses(bytePieces(http("HTTP/1.1 200 OK\nTransfer-Encoding: chunked\n\n3\nabc\n2;x\nde\n0\n\n")))
        #expect(run.error == nil)
        #expect(Array(run.events.dropFirst()) == [.body(Array("abcde".utf8)), .end])
    }

    @Test func bodyWithoutFramingRunsUntilTheConnectionCloses() throws {
        var parser = HTTPResponseParser()
        parser.append(http("HTTP/1.0 200 OK\n\npart one,"))
        guard case let .head(head) = try parser.next() else {
            Issue.record("expected a head")
            return
        }
        #expect(head.versionMinor == 0)
        #expect(try parser.next() == .body(Array("part one,".utf8)))
        #expect(try parser.next() == nil)
        parser.append(Array(" part two".utf8))
        #expect(try parser.next() == .body(Array(" part two".utf8)))
        #expect(try parser.finishOnClose() == .end)
        #expect(try parser.next() == nil)
    }

    @Test func untilCloseBodyOverTheLimitIsRejected() {
        var limits = HTTPParserLimits()
        limits.bodyMaximumBytes = 4
        let run = parseResponses(onePiece(http("HTTP/1.1 200 OK\n\n12345")), limits: limits)
        #expect(run.error == .bodyTooLarge(maximumBytes: 4))
    }

    @Test(arguments: [204, 304, 100, 101])
    func statusesWithoutBodyEndRightAfterTheHead(status: Int) {
        let text = "HTTP/1.1 \(status) X\nContent-Length: 5\n\nHTTP/1.1 200 OK\nContent-Length: 0\n\n"
        let run = parseResponses(onePiece(http(text)))
        #expect(run.error == nil)
        #expect(heads(run).map(\.status) == [status, 200])
        #expect(!run.events.contains { $0.bodyBytes != nil })
    }

    @Test func responseToHeadHasNoBodyDespiteContentLength() {
        let text = "HTTP/1.1 200 OK\nContent-Length: 1000\n\nHTTP/1.1 200 OK\nContent-Length: 2\n\nhi"
        let run = parseResponses(onePiece(http(text))) { $0.expectNoBody() }
        #expect(run.error == nil)
        #expect(run.events == [
            .head(heads(run)[0]), .end, .head(heads(run)[1]), .body(Array("hi".utf8)), .end,
        ])
    }

    @Test func expectNoBodySurvivesAnInterimResponse() {
        let text = "HTTP/1.1 100 Continue\n\nHTTP/1.1 200 OK\nContent-Length: 3\n\n"
        let run = parseResponses(onePiece(http(text))) { $0.expectNoBody() }
        #expect(run.error == nil)
        #expect(heads(run).map(\.status) == [100, 200])
        #expect(run.events.last == .end)
    }

    @Test func closeInTheMiddleOfALengthBodyIsAnError() {
        let run = parseResponses(onePiece(http("HTTP/1.1 200 OK\nContent-Length: 10\n\nshort")), closeAtEnd: true)
        #expect(run.error?.status == 400)
        #expect(run.error?.description.contains("closed") == true)
    }

    @Test func closeInTheMiddleOfAHeadIsAnError() {
        let run = parseResponses(onePiece(http("HTTP/1.1 200 OK\nContent-")), closeAtEnd: true)
        #expect(run.error != nil)
    }

    @Test func closeBetweenResponsesIsClean() {
        let run = parseResponses(onePiece(http("HTTP/1.1 204 No Content\n\n")), closeAtEnd: true)
        #expect(run.error == nil)
        #expect(run.events.count == 2)
    }

    @Test func missingReasonPhraseIsAccepted() throws {
        let run = parseResponses(onePiece(http("HTTP/1.1 404\nContent-Length: 0\n\n")))
        #expect(run.error == nil)
        #expect(heads(run).first?.reason == "")
    }

    @Test(arguments: [
        "HTTP/1.1 20 OK\n\n", "HTTP/1.1 abc OK\n\n", "HTTP/1.1 099 X\n\n", "HTTX/1.1 200 OK\n\n",
        "HTTP/1.1 200 OK\nContent-Length: 1\nTransfer-Encoding: chunked\n\n",
        "HTTP/1.1 200 OK\nTransfer-Encoding: chunked\n\nq\n",
    ])
    func malformedResponseIsRejected(text: String) {
        #expect(parseResponses(onePiece(http(text))).error?.status == 400)
    }

    @Test func overlongStatusLineIsRejected() {
        var limits = HTTPParserLimits()
        limits.requestLineMaximumBytes = 32
        let bytes = Array("HTTP/1.1 200 ".utf8) + [UInt8](repeating: 0x61, count: 40)
        #expect(parseResponses(onePiece(bytes), limits: limits).error?.status == 400)
    }
}
