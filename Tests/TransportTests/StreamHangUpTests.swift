import Testing
import TestSupport
@testable import Transport

/// A streamed response reads nothing from its client while it lasts, yet notices at once when
/// the client closes its side (its end of file): the stream's `onClientGone` runs then, not at a
/// later write that fails, so an event stream frees its subscriber slot as soon as its client
/// goes (Docs/EVENTS.md). Over real TLS on loopback, the server writing nothing after the start.
@Suite struct StreamHangUpTests {
    /// A server whose `/api/v1/quiet` stream sends one chunk and then nothing, noting in `gone`
    /// when its client went away.
    static func fixture(_ gone: LockedList<String>) throws -> HTTPFixture {
        try HTTPFixture { routes in
            routes.add("GET", "/api/v1/quiet") { _, responder in
                responder.startStream(status: 200)
                responder.writeChunk(Array("started".utf8))
                responder.onClientGone = { gone.append("gone") }
            }
        }
    }

    @Test(arguments: [true, false])
    func aClientClosingAQuietStreamIsNoticedAtOnce(gracefully: Bool) throws {
        let gone = LockedList<String>()
        let fixture = try Self.fixture(gone)
        defer { fixture.shutdown() }
        let (transcript, connection) = try #require(fixture.raw.open(port: fixture.server.port,
                                                                     greeting: HTTPTestSupport.request("GET", "/api/v1/quiet")))
        #expect(eventually { transcript.receivedText.contains("started") }, "\(transcript.receivedText)")
        #expect(gone.count == 0)
        if gracefully {
            fixture.raw.close(connection)
        } else {
            connection.loop.runAndWait { connection.value.abort(.local("the test's client went away")) }
        }
        #expect(eventually(timeout: .seconds(10)) { gone.count == 1 }, "the server did not notice the client closing")
    }
}
