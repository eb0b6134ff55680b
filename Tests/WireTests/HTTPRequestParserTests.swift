import Testing
@testable import Wire

@Suite struct HTTPRequestParserTests {
    @Test func simpleGetYieldsHeadThenEnd() throws {
        let run = parseRequests(onePiece(http("GET /healthz HTTP/1.1\nHost: example\nAccept: */*\n\n")))
        #expect(run.error == nil)
        let head = try #require(requestHeads(run).first)
        #expect(head.method == "GET")
        #expect(head.target == "/healthz")
        #expect(head.path == "/healthz")
        #expect(head.query == nil)
        #expect(head.versionMinor == 1)
        #expect(head.headers["host"] == "example")
        #expect(head.headers["ACCEPT"] == "*/*")
        #expect(run.events.count == 2)
        #expect(run.events.last == .end)
    }

    @Test func headerValuesLoseSurroundingWhitespaceOnly() throws {
        let head = try #require(singleHead("GET / HTTP/1.1\nX-Note: \t two  words \t\n\n"))
        #expect(head.headers["x-note"] == "two  words")
    }

    @Test func pathIsPercentDecodedAndQueryKeptRaw() throws {
        let head = try #require(singleHead("GET /api/v1/environments/caf%C3%A9%20bar?x=%41&y=1 HTTP/1.1\n\n"))
        #expect(head.path == "/api/v1/environments/café bar")
        #expect(head.query == "x=%41&y=1")
        #expect(head.target == "/api/v1/environments/caf%C3%A9%20bar?x=%41&y=1")
    }

    @Test func queryItemsAreFormDecodedInOrder() throws {
        let head = try #require(singleHead("GET /audit?actor=a%2Fb&note=two+words&flag&&empty= HTTP/1.1\n\n"))
        let items = head.queryItems()
        #expect(items.map(\.0) == ["actor", "note", "flag", "empty"])
        #expect(items.map(\.1) == ["a/b", "two words", "", ""])
    }

    @Test func emptyQueryIsPresentButEmpty() throws {
        let head = try #require(singleHead("GET /a? HTTP/1.1\n\n"))
        #expect(head.path == "/a")
        #expect(head.query == "")
        #expect(head.queryItems().isEmpty)
    }

    @Test func absoluteFormTargetIsReducedToPathAndQuery() throws {
        let head = try #require(singleHead("GET http://coordinator:8443/api/v1/cluster?verbose=1 HTTP/1.1\n\n"))
        #expect(head.path == "/api/v1/cluster")
        #expect(head.query == "verbose=1")
        let bare = try #require(singleHead("GET HTTPS://coordinator HTTP/1.1\n\n"))
        #expect(bare.path == "/")
    }

    @Test func asteriskTargetIsAcceptedForOptions() throws {
        let head = try #require(singleHead("OPTIONS * HTTP/1.1\n\n"))
        #expect(head.path == "*")
    }

    struct KeepAliveCase: Sendable, CustomTestStringConvertible {
        var request: String
        var keepAlive: Bool
        var testDescription: String { request }
    }

    @Test(arguments: [
        KeepAliveCase(request: "GET / HTTP/1.1\n\n", keepAlive: true),
        KeepAliveCase(request: "GET / HTTP/1.1\nConnection: close\n\n", keepAlive: false),
        KeepAliveCase(request: "GET / HTTP/1.1\nConnection: Upgrade, CLOSE\n\n", keepAlive: false),
        KeepAliveCase(request: "GET / HTTP/1.0\n\n", keepAlive: false),
        KeepAliveCase(request: "GET / HTTP/1.0\nConnection: Keep-Alive\n\n", keepAlive: true),
        KeepAliveCase(request: "GET / HTTP/1.0\nConnection: keep-alive, close\n\n", keepAlive: false),
    ])
    func keepAliveFollowsVersionAndConnectionHeader(testCase: KeepAliveCase) throws {
        let head = try #require(singleHead(testCase.request))
        #expect(head.keepAlive == testCase.keepAlive)
    }

    @Test func pipelinedRequestsAreParsedInOrder() {
        let stream = http("GET /a HTTP/1.1\n\nPOST /b HTTP/1.1\nContent-Length: 3\n\nxyzDELETE /c HTTP/1.1\n\n")
        let run = parseRequests(onePiece(stream))
        #expect(run.error == nil)
        #expect(requestHeads(run).map(\.path) == ["/a", "/b", "/c"])
        #expect(run.events.filter { $0 == .end }.count == 3)
        #expect(run.events.contains(.body(Array("xyz".utf8))))
    }

    @Test func parserIsIdleOnlyBetweenRequestsWithNothingBuffered() throws {
        var parser = HTTPRequestParser()
        #expect(parser.isIdle)
        parser.append(http("GET / HTTP/1.1\n\nGE"))
        #expect(!parser.isIdle)
        _ = try parser.next()
        #expect(try parser.next() == .end)
        #expect(!parser.isIdle)
        #expect(try parser.next() == nil)
        parser.append(http("T / HTTP/1.1\n\n"))
        _ = try parser.next()
        #expect(try parser.next() == .end)
        #expect(parser.isIdle)
    }

    @Test func emptyLineBeforeRequestLineIsSkipped() throws {
        let run = parseRequests(onePiece(http("\nGET / HTTP/1.1\n\n")))
        #expect(run.error == nil)
        #expect(requestHeads(run).count == 1)
    }

    @Test func expectContinueIsExposedAsAHeaderWithoutSideEffects() throws {
        var parser = HTTPRequestParser()
        parser.append(http("PUT /modules/a/1 HTTP/1.1\nExpect: 100-continue\nContent-Length: 4\n\n"))
        guard case let .head(head) = try parser.next() else {
            Issue.record("expected a head")
            return
        }
        #expect(head.headers["expect"] == "100-continue")
        #expect(try parser.next() == nil)
    }

    @Test func repeatedHeadersKeepEveryValueInOrder() throws {
        let head = try #require(singleHead("GET / HTTP/1.1\nAccept: a\nX: 1\naccept: b\n\n"))
        #expect(head.headers.values("Accept") == ["a", "b"])
        #expect(head.headers.count == 3)
    }

    static let corpus: [String] = [
        "GET /a/b?c=d HTTP/1.1\nHost: h\n\n",
        "POST /upload HTTP/1.1\nContent-Length: 11\n\nhello world",
        "PUT /m HTTP/1.1\nTransfer-Encoding: chunked\n\n5;ext=1\nhello\n6\n world\n0\nTrailer-A: x\n\n",
        "GET /1 HTTP/1.0\nConnection: keep-alive\n\nGET /2 HTTP/1.1\n\n",
        "GET /bad HTTP/1.1\nBad Header: x\n\n",
        "POST /c HTTP/1.1\nTransfer-Encoding: chunked\n\nzz\n",
    ]

    @Test(arguments: corpus)
    func feedingByteByByteMatchesFeedingAllAtOnce(text: String) {
        let bytes = http(text)
        let whole = parseRequests(onePiece(bytes))
        let byteByByte = parseRequests(bytePieces(bytes))
        #expect(whole.events == byteByByte.events)
        #expect(whole.error == byteByByte.error)
        #expect(!whole.events.isEmpty || whole.error != nil)
    }
}
