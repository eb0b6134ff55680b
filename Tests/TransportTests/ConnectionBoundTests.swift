import Testing
import TestSupport
import Transport
import Wire

@Suite struct ConnectionBoundTests {
    private func thing(_ name: String) -> [UInt8] { HTTPTestSupport.request("GET", "/api/v1/things/\(name)") }

    private func answered(_ transcript: ClientTranscript, count: Int) -> Bool {
        (try? HTTPTestSupport.responses(in: transcript.received).count) == count
    }

    /// Two loops share the bound, so it is the endpoint's, not a loop's.
    @Test func endpointServesUpToItsBoundRefusesTheNextAndAcceptsAgainAfterAClose() throws {
        let fixture = try HTTPFixture(loopCount: 2, maximumConnections: 3, HTTPRoundTripTests.addThingRoutes)
        defer { fixture.shutdown() }
        var open: [(ClientTranscript, LoopBound<TLSConnection>)] = []
        for index in 0..<3 {
            let made = try #require(fixture.raw.open(port: fixture.server.port, greeting: thing("c\(index)")))
            #expect(eventually { answered(made.0, count: 1) }, "connection \(index) was not served")
            open.append(made)
        }
        #expect(fixture.server.openConnectionCount() == 3)

        let (refused, _) = try #require(fixture.raw.open(port: fixture.server.port, greeting: thing("c3")))
        #expect(eventually { refused.isClosed })
        #expect(!refused.opened)
        #expect(refused.received.isEmpty)
        #expect(fixture.server.metrics.exposition().contains(
            "hotswap_transport_connections_refused_total{endpoint=\"test-http\"} 1"))
        // The three admitted connections are untouched by the refusal.
        for (transcript, connection) in open {
            #expect(!transcript.isClosed)
            fixture.raw.write(thing("again"), on: connection)
            #expect(eventually { answered(transcript, count: 2) })
        }

        fixture.raw.close(open[0].1)
        #expect(eventually { fixture.server.openConnectionCount() == 2 })
        let (admitted, _) = try #require(fixture.raw.open(port: fixture.server.port, greeting: thing("c4")))
        #expect(eventually { answered(admitted, count: 1) })
        #expect(admitted.opened)
        #expect(fixture.server.openConnectionCount() == 3)
    }
}
