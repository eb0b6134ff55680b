import Glibc
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

    /// How the test's client goes: a TLS close_notify and FIN, a FIN alone, or a reset (RST, from
    /// `SO_LINGER` {1, 0}), which epoll reports as EPOLLHUP and EPOLLERR whatever the interest.
    enum Departure: CaseIterable { case gracefully, abruptly, reset }

    @Test(arguments: Departure.allCases)
    func aClientClosingAQuietStreamIsNoticedAtOnce(departure: Departure) throws {
        let gone = LockedList<String>()
        let fixture = try Self.fixture(gone)
        defer { fixture.shutdown() }
        let (transcript, connection) = try #require(fixture.raw.open(port: fixture.server.port,
                                                                     greeting: HTTPTestSupport.request("GET", "/api/v1/quiet")))
        #expect(eventually { transcript.receivedText.contains("started") }, "\(transcript.receivedText)")
        #expect(gone.count == 0)
        switch departure {
        case .gracefully:
            fixture.raw.close(connection)
        case .abruptly:
            connection.loop.runAndWait { connection.value.abort(.local("the test's client went away")) }
        case .reset:
            let lingered = connection.loop.runAndWait {
                var resetOnClose = linger(l_onoff: 1, l_linger: 0)
                let set = setsockopt(connection.value.descriptor, SOL_SOCKET, SO_LINGER, &resetOnClose,
                                     socklen_t(MemoryLayout<linger>.size))
                connection.value.abort(.local("the test's client reset the connection"))
                return set
            }
            #expect(lingered == 0)
        }
        #expect(eventually(timeout: .seconds(10)) { gone.count == 1 }, "the server did not notice the client closing")
    }

    /// A hang-up watch is the paused handler's: reading again drops it, whether or not reading was
    /// paused when asked, so a later pause does not end the connection at the peer's end of file.
    @Test func resumingReadingDropsTheHangUpWatchEvenIfReadingWasNotPaused() throws {
        let fixture = try Self.fixture(LockedList<String>())
        defer { fixture.shutdown() }
        let (_, connection) = try #require(fixture.raw.open(port: fixture.server.port, greeting: []))
        let watching = connection.loop.runAndWait {
            connection.value.closeWhenPeerHangsUp()
            connection.value.resumeReading()
            return connection.value.closesWhenPeerHangsUp
        }
        #expect(!watching)
        fixture.raw.close(connection)
    }
}
