import Testing
import TestSupport
import Transport
import Wire

/// The HTTP server's idle, request-head and body-stall timeouts.
@Suite struct HTTPTimeoutTests {
    static func configuration() -> HTTPServerConfiguration {
        var configuration = HTTPServerConfiguration()
        configuration.idleTimeout = .milliseconds(300)
        configuration.requestHeadTimeout = .milliseconds(300)
        configuration.bodyStallTimeout = .milliseconds(300)
        return configuration
    }

    static func fixture(_ ledger: UploadLedger) throws -> HTTPFixture {
        try HTTPFixture(configuration: configuration()) { routes in
            HTTPRoundTripTests.addThingRoutes(&routes)
            routes.addStreamed("PUT", "/api/v1/uploads/{name}", bodyMaximumBytes: 1 << 20) { request, responder in
                CountingReceiver(request: request, responder: responder, ledger: ledger)
            }
        }
    }

    @Test func idleKeepAliveConnectionIsClosedAfterTheIdleTimeout() throws {
        let fixture = try Self.fixture(UploadLedger())
        defer { fixture.shutdown() }
        let (transcript, _) = try #require(fixture.raw.open(port: fixture.server.port,
                                                            greeting: HTTPTestSupport.request("GET", "/api/v1/things/a")))
        #expect(eventually { transcript.isClosed })
        let responses = try HTTPTestSupport.responses(in: transcript.received, closed: true)
        #expect(responses.map(\.status) == [200])
        #expect(eventually { fixture.server.openConnectionCount() == 0 }, "the client saw the close before the server counted it")
    }

    @Test func requestHeadThatStopsHalfwayGets408() throws {
        let fixture = try Self.fixture(UploadLedger())
        defer { fixture.shutdown() }
        let partial = Array("GET /api/v1/things/a HTTP/1.1\r\nHost: 127.0.0.1\r\n".utf8)
        let (transcript, _) = try #require(fixture.raw.open(port: fixture.server.port, greeting: partial))
        #expect(eventually { transcript.isClosed })
        let response = try #require(try HTTPTestSupport.responses(in: transcript.received, closed: true).first)
        #expect(response.status == 408)
        #expect(HTTPTestSupport.errorCode(in: response.bodyText) == "request_timeout")
    }

    @Test func stalledStreamedBodyGets408AndTheReceiverIsAbandoned() throws {
        let ledger = UploadLedger()
        let fixture = try Self.fixture(ledger)
        defer { fixture.shutdown() }
        let request = HTTPTestSupport.request("PUT", "/api/v1/uploads/blob", headers: [("Content-Length", "5000")])
            + TestPattern.bytes(at: 0, count: 1_000)
        let (transcript, _) = try #require(fixture.raw.open(port: fixture.server.port, greeting: request))
        #expect(eventually { transcript.isClosed })
        let response = try #require(try HTTPTestSupport.responses(in: transcript.received, closed: true).first)
        #expect(response.status == 408)
        #expect(ledger.snapshot.receivedBytes == 1_000)
        #expect(ledger.snapshot.abandoned.count == 1)
        #expect(ledger.snapshot.finished == 0)
    }
}
