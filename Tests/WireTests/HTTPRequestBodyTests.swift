import Testing
@testable import Wire

@Suite struct HTTPRequestBodyTests {
    @Test func contentLengthBodyIsDeliveredThenEnd() {
        let run = parseRequests(onePiece(http("POST /x HTTP/1.1\nContent-Length: 5\n\nhello")))
        #expect(run.error == nil)
        #expect(Array(run.events.dropFirst()) == [.body(Array("hello".utf8)), .end])
    }

    @Test func zeroContentLengthEndsImmediately() {
        let run = parseRequests(onePiece(http("POST /x HTTP/1.1\nContent-Length: 0\n\n")))
        #expect(run.events.count == 2)
        #expect(run.events.last == .end)
    }

    @Test func bodyIsStreamedAsItArrivesNotBufferedWhole() throws {
        var parser = HTTPRequestParser()
        parser.append(http("POST /x HTTP/1.1\nContent-Length: 10\n\nabc"))
        _ = try parser.next()
        #expect(try parser.next() == .body(Array("abc".utf8)))
        #expect(try parser.next() == nil)
        #expect(parser.bufferedBytes == 0)
        parser.append(Array("defghij".utf8))
        #expect(try parser.next() == .body(Array("defghij".utf8)))
        #expect(try parser.next() == .end)
    }

    @Test func largeBodyEventsNeverExceedTheEventMaximum() {
        let bodyBytes = 200 * 1024
        var request = http("PUT /modules/a/1 HTTP/1.1\nContent-Length: \(bodyBytes)\n\n")
        request += [UInt8](repeating: 0x61, count: bodyBytes)
        var limits = HTTPParserLimits()
        limits.bodyMaximumBytes = bodyBytes
        let run = parseRequests(onePiece(request), limits: limits)
        #expect(run.error == nil)
        #expect(run.bodyEventPeakBytes == HTTPRequestParser.bodyEventMaximumBytes)
        #expect(run.events.dropFirst().first?.bodyBytes?.count == bodyBytes)
    }

    @Test func chunkedBodyWithExtensionsAndTrailersIsDecoded() {
        let text = "POST /x HTTP/1.1\nTransfer-Encoding: chunked\n\n"
            + "4;name=value\nWiki\n5 ; quoted=\"a;b\"\npedia\nE\n in\n\nchunks.\n0\nChecksum: abc\nExpires: never\n\n"
        let run = parseRequests(onePiece(http(text)))
        #expect(run.error == nil)
        #expect(Array(run.events.dropFirst()) == [.body(Array("Wikipedia in\r\n\r\nchunks.".utf8)), .end])
    }

    @Test func chunkedRequestIsFollowedByAPipelinedRequest() {
        let text = "POST /a HTTP/1.1\nTransfer-Encoding: chunked\n\n3\nabc\n0\n\nGET /b HTTP/1.1\n\n"
        let run = parseRequests(onePiece(http(text)))
        #expect(run.error == nil)
        #expect(requestHeads(run).map(\.path) == ["/a", "/b"])
    }

    @Test func contentLengthOverTheLimitIsRejectedWith413() {
        var limits = HTTPParserLimits()
        limits.bodyMaximumBytes = 10
        let run = parseRequests(onePiece(http("POST /x HTTP/1.1\nContent-Length: 11\n\n")), limits: limits)
        #expect(run.error == .bodyTooLarge(maximumBytes: 10))
        #expect(run.error?.status == 413)
        #expect(run.error?.code == "body_too_large")
    }

    @Test func hugeContentLengthIsTooLargeRatherThanMalformed() {
        let error = requestError(http("POST /x HTTP/1.1\nContent-Length: 99999999999999999999999\n\n"))
        #expect(error?.status == 413)
    }

    @Test func chunkedBodyOverTheLimitIsRejectedBeforeItsDataArrives() {
        var limits = HTTPParserLimits()
        limits.bodyMaximumBytes = 10
        let run = parseRequests(onePiece(http("POST /x HTTP/1.1\nTransfer-Encoding: chunked\n\n8\n12345678\n3\n")), limits: limits)
        #expect(run.error == .bodyTooLarge(maximumBytes: 10))
        #expect(run.events.contains(.body(Array("12345678".utf8))))
    }

    @Test func raisingTheBodyLimitAfterTheHeadAdmitsALargerUpload() throws {
        var limits = HTTPParserLimits()
        limits.bodyMaximumBytes = 4
        var parser = HTTPRequestParser(limits: limits)
        parser.append(http("PUT /modules/a/1 HTTP/1.1\nContent-Length: 8\n\n12345678"))
        guard case .head = try parser.next() else {
            Issue.record("expected a head")
            return
        }
        parser.limits.bodyMaximumBytes = 8
        #expect(try parser.next() == .body(Array("12345678".utf8)))
        #expect(try parser.next() == .end)
    }

    @Test func requestsWithoutFramingHeadersHaveNoBody() {
        let run = parseRequests(onePiece(http("POST /x HTTP/1.1\n\nGET /y HTTP/1.1\n\n")))
        #expect(run.error == nil)
        #expect(requestHeads(run).map(\.path) == ["/x", "/y"])
        #expect(!run.events.contains { $0.bodyBytes != nil })
    }

    @Test func matchingDuplicateContentLengthsAreAccepted() {
        let run = parseRequests(onePiece(http("POST /x HTTP/1.1\nContent-Length: 2\nContent-Length: 2, 2\n\nok")))
        #expect(run.error == nil)
        #expect(run.events.contains(.body(Array("ok".utf8))))
    }
}
