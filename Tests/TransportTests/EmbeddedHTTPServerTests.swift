import Testing
@testable import Transport
import Wire

/// The HTTP server handler on an embedded connection and loop: pipelining,
/// limits, keep-alive and its timeouts on virtual time, no sockets or sleeps.
@Suite struct EmbeddedHTTPServerTests {
    private func echoServer(configuration: HTTPServerConfiguration = HTTPServerConfiguration(),
                            limits: ConnectionLimits = ConnectionLimits()) -> EmbeddedHTTP {
        EmbeddedHTTP(configuration: configuration, limits: limits) { routes in
            routes.add("GET", "/echo/{word}") { request, responder in
                responder.send(status: 200, body: Array((request.parameters["word"] ?? "").utf8))
            }
            routes.add("POST", "/small", bodyMaximumBytes: 8) { request, responder in
                responder.send(status: 200, body: request.body)
            }
        }
    }

    @Test func pipelinedRequestsAreAnsweredInOrderOnOneConnection() throws {
        let http = echoServer()
        http.deliver(httpGet("/echo/one") + httpGet("/echo/two") + httpGet("/echo/three"))
        let answers = try http.responses()
        #expect(answers.map(\.status) == [200, 200, 200])
        #expect(answers.map(\.body) == ["one", "two", "three"])
        #expect(http.connection.isOpen, "keep-alive requests leave the connection open")
    }

    @Test(arguments: [
        ("POST /small HTTP/1.1\r\nHost: t\r\nContent-Length: 9\r\n\r\n123456789", 413),
        ("GET /nowhere HTTP/1.1\r\nHost: t\r\n\r\n", 404),
        ("DELETE /echo/x HTTP/1.1\r\nHost: t\r\n\r\n", 405),
        ("GET /echo/x HTTP/1.1\r\nHost: t\r\nX-Big: \(String(repeating: "a", count: 40 * 1024))\r\n\r\n", 431),
        ("NONSENSE\r\n\r\n", 400),
    ])
    func aRequestOverALimitOrWithoutARouteIsAnsweredAndTheConnectionClosed(request: String, status: Int) throws {
        let http = echoServer()
        http.deliver(request)
        #expect(try http.responses().map(\.status) == [status])
        #expect(http.connection.isClosed)
        let reason = try #require(http.connection.closeReason)
        guard case let .protocolViolation(why) = reason else { return #expect(Bool(false), "closed for \(reason)") }
        #expect(why.hasPrefix("HTTP \(status): "))
    }

    @Test func connectionCloseIsHonouredAfterTheResponse() throws {
        let http = echoServer()
        http.deliver(httpGet("/echo/bye", close: true))
        #expect(try http.responses().map(\.body) == ["bye"])
        #expect(http.connection.closeReason == .local("client asked to close"))
    }

    @Test func anIdleKeepAliveConnectionClosesWhenItsIdleTimeoutPasses() throws {
        var configuration = HTTPServerConfiguration()
        configuration.idleTimeout = .seconds(60)
        let http = echoServer(configuration: configuration)
        http.deliver(httpGet("/echo/a"))
        #expect(try http.responses().count == 1)
        http.embedded.advanceTime(by: .seconds(59))
        #expect(http.connection.isOpen, "closed before the idle timeout")
        http.embedded.advanceTime(by: .seconds(1))
        #expect(http.connection.closeReason == .timeout("idle keep-alive connection"))
    }

    /// A client that finishes TLS and sends nothing used to hold its established slot for the
    /// keep-alive idle time (60 s); the first request is due within the head timeout of the opening.
    @Test func aConnectionThatNeverSendsARequestClosesAtTheHeadTimeout() throws {
        var configuration = HTTPServerConfiguration()
        configuration.requestHeadTimeout = .seconds(10)
        configuration.idleTimeout = .seconds(60)
        let http = echoServer(configuration: configuration)
        http.embedded.advanceTime(by: .seconds(9))
        #expect(http.connection.isOpen, "closed before the head timeout")
        http.embedded.advanceTime(by: .seconds(1))
        #expect(http.connection.closeReason == .timeout("no request within \(Duration.seconds(10)) of the connection opening"))
    }

    @Test func theFirstHeadIsDueWithinTheHeadTimeoutOfTheOpeningNotOfItsFirstByte() throws {
        var configuration = HTTPServerConfiguration()
        configuration.requestHeadTimeout = .seconds(10)
        let http = echoServer(configuration: configuration)
        http.embedded.advanceTime(by: .seconds(9))
        http.deliver("GET /echo/late HTTP/1.1\r\nHo")
        http.embedded.advanceTime(by: .seconds(1))
        #expect(try http.responses().map(\.status) == [408])
        #expect(http.connection.isClosed)
    }

    @Test func aLaterHeadIsDueWithinTheHeadTimeoutOfItsFirstByte() throws {
        var configuration = HTTPServerConfiguration()
        configuration.requestHeadTimeout = .seconds(10)
        let http = echoServer(configuration: configuration)
        http.deliver(httpGet("/echo/a"))
        http.embedded.advanceTime(by: .seconds(30))
        http.deliver("GET /echo/b HTTP/1.1\r\nHo")
        http.embedded.advanceTime(by: .seconds(9))
        #expect(try http.responses().map(\.status) == [200], "the keep-alive wait counted against the next head")
        http.embedded.advanceTime(by: .seconds(1))
        #expect(try http.responses().map(\.status) == [408])
    }

    @Test func aHeadThatDoesNotFinishInTimeIsAnswered408() throws {
        var configuration = HTTPServerConfiguration()
        configuration.requestHeadTimeout = .seconds(10)
        let http = echoServer(configuration: configuration)
        http.deliver("GET /echo/slow HTTP/1.1\r\nHo")
        http.embedded.advanceTime(by: .seconds(9))
        #expect(try http.responses().isEmpty)
        http.embedded.advanceTime(by: .seconds(1))
        #expect(try http.responses().map(\.status) == [408])
        #expect(http.connection.isClosed)
    }

    @Test func aStalledBodyIsAnswered408AfterTheStallTimeoutFromItsLastByte() throws {
        var configuration = HTTPServerConfiguration()
        configuration.bodyStallTimeout = .seconds(30)
        configuration.bodyMinimumBytesPerSecond = 0
        let http = echoServer(configuration: configuration)
        http.deliver("POST /small HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\n\r\nab")
        http.embedded.advanceTime(by: .seconds(20))
        http.deliver("c")
        http.embedded.advanceTime(by: .seconds(29))
        #expect(try http.responses().isEmpty, "a byte of body restarts the stall timeout")
        http.embedded.advanceTime(by: .seconds(1))
        #expect(try http.responses().map(\.status) == [408])
    }

    /// One byte just inside the stall timeout, again and again, used to hold a connection for weeks.
    @Test func aBodyTrickledJustInsideTheStallTimeoutIsAnswered408ForItsRate() throws {
        var configuration = HTTPServerConfiguration()
        configuration.bodyStallTimeout = .seconds(30)
        configuration.bodyMinimumBytesPerSecond = 100
        let http = echoServer(configuration: configuration)
        http.deliver("POST /small HTTP/1.1\r\nHost: t\r\nContent-Length: 8\r\n\r\n")
        http.embedded.advanceTime(by: .seconds(29))
        http.deliver("a")
        http.embedded.advanceTime(by: .milliseconds(1_009))
        #expect(try http.responses().isEmpty, "30 s of grace and 10 ms for one byte at 100 bytes/s")
        http.embedded.advanceTime(by: .milliseconds(1))
        #expect(try http.responses().map(\.status) == [408])
        #expect(http.connection.closeReason
                == .protocolViolation("HTTP 408: request body arrived slower than 100 bytes per second"))
    }

    @Test func aBodyAtTheMinimumRateIsReadWhole() throws {
        var configuration = HTTPServerConfiguration()
        configuration.bodyStallTimeout = .seconds(30)
        configuration.bodyMinimumBytesPerSecond = 1
        let http = echoServer(configuration: configuration)
        http.deliver("POST /small HTTP/1.1\r\nHost: t\r\nContent-Length: 8\r\n\r\n")
        for byte in "abcdefgh" {
            http.embedded.advanceTime(by: .seconds(1))
            http.deliver(String(byte))
        }
        #expect(try http.responses().map(\.body) == ["abcdefgh"])
    }

    @Test func garbageWithoutALineFeedIsAnswered400AtOnce() throws {
        let http = echoServer()
        http.deliver("\u{16}\u{03}\u{01}\u{02}")
        #expect(try http.responses().map(\.status) == [400])
        #expect(http.connection.isClosed)
    }

    @Test func aResponseLargerThanTheWriteQueueIsPacedByWritability() throws {
        var limits = ConnectionLimits()
        limits.writeQueueHighWaterBytes = 64 * 1024
        limits.writeQueueLowWaterBytes = 16 * 1024
        limits.writeQueueMaximumBytes = 256 * 1024
        let bodyBytes = 1_000_000
        let http = EmbeddedHTTP(limits: limits) { routes in
            routes.add("GET", "/large") { _, responder in
                responder.send(status: 200, body: [UInt8](repeating: 0x61, count: bodyBytes))
            }
        }
        http.deliver(httpGet("/large") + httpGet("/large"))
        var received: [UInt8] = []
        var reads = 0
        while http.connection.queuedOutboundBytes > 0, reads < 1_000 {
            #expect(http.connection.queuedOutboundBytes <= limits.writeQueueMaximumBytes)
            received += http.connection.takeWritten(maximumBytes: 32 * 1024)
            http.embedded.run()
            reads += 1
        }
        #expect(http.connection.isOpen, "pacing must not trip the write queue bound")
        var parsed = HTTPResponseParser()
        parsed.append(received)
        var bodies: [Int] = []
        while let event = try parsed.next() {
            switch event {
            case .head: bodies.append(0)
            case let .body(bytes): bodies[bodies.count - 1] += bytes.count
            case .end: continue
            }
        }
        #expect(bodies == [bodyBytes, bodyBytes], "the pipelined second request waits for the paced first")
    }

    @Test(arguments: [1_000, 700_000])
    func aBodyInPartsArrivesAsThePartsOneAfterAnother(middleBytes: Int) throws {
        var limits = ConnectionLimits()
        limits.writeQueueHighWaterBytes = 64 * 1024
        limits.writeQueueLowWaterBytes = 16 * 1024
        limits.writeQueueMaximumBytes = 256 * 1024
        let parts: [[UInt8]] = [Array("head".utf8), [], (0..<middleBytes).map { UInt8(truncatingIfNeeded: $0 % 251) }, Array("tail".utf8)]
        let http = EmbeddedHTTP(limits: limits) { routes in
            routes.add("GET", "/parts") { _, responder in responder.send(status: 200, bodyParts: parts) }
        }
        http.deliver(httpGet("/parts"))
        var received: [UInt8] = []
        var reads = 0
        while http.connection.queuedOutboundBytes > 0, reads < 1_000 {
            #expect(http.connection.queuedOutboundBytes <= limits.writeQueueMaximumBytes)
            received += http.connection.takeWritten(maximumBytes: 32 * 1024)
            http.embedded.run()
            reads += 1
        }
        var parsed = HTTPResponseParser()
        parsed.append(received)
        var body: [UInt8] = []
        var ended = false
        while let event = try parsed.next() {
            switch event {
            case let .head(head): #expect(head.headers["Content-Length"] == String(middleBytes + 8))
            case let .body(bytes): body += bytes
            case .end: ended = true
            }
        }
        #expect(ended)
        #expect(body == Array(parts.joined()))
    }
}
