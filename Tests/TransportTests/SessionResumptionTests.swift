import Certificates
import Glibc
import Testing
import TestSupport
@testable import Transport

/// TLS 1.3 session resumption across servers that share ticket keys, with a
/// real client cache, real loopback servers and mutual TLS.
@Suite struct SessionResumptionTests {
    @Test func aClientWithACacheResumesAndTheServerStillKnowsWhoItIs() throws {
        let fixture = try ResumptionFixture()
        defer { fixture.shutdown() }
        let (server, opened) = try fixture.startServer(ring: SessionTicketKeyRing([try .generate()]))
        defer { server.shutdown() }

        let (first, firstConnection) = try #require(fixture.exchange(port: server.port))
        #expect(first.opened && !fixture.isResumed(firstConnection))
        #expect(fixture.hasSession, "no ticket reached the cache")
        fixture.client.close(firstConnection)

        let (second, secondConnection) = try #require(fixture.exchange(port: server.port))
        #expect(second.opened)
        #expect(fixture.isResumed(secondConnection))
        try #require(eventually { opened.count == 2 })
        #expect(opened.elements.map(\.resumed) == [false, true])
        let resumedSide = opened.elements[1].connection
        let age = resumedSide.loop.runAndWait { resumedSide.value.resumedSessionAge }
        #expect(age.map { $0 >= .zero && $0 < .seconds(600) } == true, "the session this ticket resumed was made just now")
        #expect(opened.elements.map(\.peer) == [ResumptionFixture.clientPeer, ResumptionFixture.clientPeer])
        #expect(server.metrics.exposition().contains("hotswap_transport_handshakes_resumed_total{endpoint=\"test-tls\"} 1"))
    }

    @Test func aSessionOutlivesAConnectionThatEndedWithoutCloseNotify() throws {
        let fixture = try ResumptionFixture()
        defer { fixture.shutdown() }
        let (server, opened) = try fixture.startServer(ring: SessionTicketKeyRing([try .generate()]))
        defer { server.shutdown() }
        let first = try #require(try fixture.exchangeUnretained(port: server.port))
        #expect(first.opened && fixture.hasSession)
        let serverSide = try #require(opened.elements.first).connection
        serverSide.loop.runAndWait { serverSide.value.abort(.local("as if the server died")) }
        #expect(eventually { first.isClosed })

        let second = try #require(try fixture.exchangeUnretained(port: server.port))
        #expect(second.opened)
        #expect(opened.elements.map(\.resumed) == [false, true], "the dropped connection spoiled the cached session")
    }

    @Test func aTicketFromOneServerResumesOnAnotherThatSharesTheRingButNotOnAStranger() throws {
        let fixture = try ResumptionFixture()
        defer { fixture.shutdown() }
        let shared = SessionTicketKeyRing([try .generate()])
        let (serverA, _) = try fixture.startServer(ring: shared)
        defer { serverA.shutdown() }
        let (serverB, openedB) = try fixture.startServer(ring: shared, certificate: try fixture.issueServerCertificate(name: "c2"))
        defer { serverB.shutdown() }
        let strangerKey = try SessionTicketKey.generate()
        let (stranger, openedStranger) = try fixture.startServer(ring: SessionTicketKeyRing([strangerKey]))
        defer { stranger.shutdown() }

        _ = try #require(fixture.exchange(port: serverA.port))
        #expect(fixture.hasSession)

        let (onB, onBConnection) = try #require(fixture.exchange(port: serverB.port))
        #expect(onB.opened && fixture.isResumed(onBConnection))
        #expect(openedB.elements.map(\.resumed) == [true])
        #expect(openedB.elements.map(\.peer) == [ResumptionFixture.clientPeer])

        let (onStranger, onStrangerConnection) = try #require(fixture.exchange(port: stranger.port))
        #expect(onStranger.opened && !fixture.isResumed(onStrangerConnection))
        #expect(openedStranger.elements.map(\.resumed) == [false])
        #expect(openedStranger.elements.map(\.peer) == [ResumptionFixture.clientPeer])
        #expect(fixture.ticketKeyName == strangerKey.name, "the full handshake's new ticket replaces the old one")
    }

    @Test func aTicketUnderAnOlderKeyResumesAndIsRenewedUnderTheNewest() throws {
        let fixture = try ResumptionFixture()
        defer { fixture.shutdown() }
        let old = try SessionTicketKey.generate()
        let new = try SessionTicketKey.generate()
        let ring = SessionTicketKeyRing([old])
        let (server, _) = try fixture.startServer(ring: ring)
        defer { server.shutdown() }

        _ = try #require(fixture.exchange(port: server.port))
        #expect(fixture.ticketKeyName == old.name)

        ring.install([new, old])
        let (_, resumed) = try #require(fixture.exchange(port: server.port))
        #expect(fixture.isResumed(resumed))
        #expect(fixture.ticketKeyName == new.name, "the resumed old-key ticket was not renewed under the new key")
    }

    @Test func aTicketUnderAKeyNoLongerInTheRingGetsAFullHandshake() throws {
        let fixture = try ResumptionFixture()
        defer { fixture.shutdown() }
        let old = try SessionTicketKey.generate()
        let new = try SessionTicketKey.generate()
        let ring = SessionTicketKeyRing([old])
        let (server, opened) = try fixture.startServer(ring: ring)
        defer { server.shutdown() }

        _ = try #require(fixture.exchange(port: server.port))
        #expect(fixture.ticketKeyName == old.name)

        ring.install([new])
        let (transcript, connection) = try #require(fixture.exchange(port: server.port))
        #expect(transcript.opened && !fixture.isResumed(connection))
        #expect(opened.elements.map(\.resumed) == [false, false])
        #expect(fixture.ticketKeyName == new.name)
    }

    @Test func anEmptyRingHandshakesInFullAndIssuesNoTicket() throws {
        let fixture = try ResumptionFixture()
        defer { fixture.shutdown() }
        let (server, _) = try fixture.startServer(ring: SessionTicketKeyRing())
        defer { server.shutdown() }
        for _ in 0..<2 {
            let (transcript, connection) = try #require(fixture.exchange(port: server.port))
            #expect(transcript.opened && transcript.received == ResumptionFixture.greeting)
            #expect(!fixture.isResumed(connection))
            #expect(!fixture.hasSession)
        }
    }

    @Test func aServerWithoutSessionTicketsIssuesNone() throws {
        let fixture = try ResumptionFixture()
        defer { fixture.shutdown() }
        let (server, _) = try fixture.startServer(ring: nil)
        defer { server.shutdown() }
        let (transcript, _) = try #require(fixture.exchange(port: server.port))
        #expect(transcript.received == ResumptionFixture.greeting)
        #expect(!fixture.hasSession)
    }

    @Test func issueSessionTicketSendsANewTicketWithoutApplicationData() throws {
        let fixture = try ResumptionFixture()
        defer { fixture.shutdown() }
        let (server, opened) = try fixture.startServer(ring: SessionTicketKeyRing([try .generate()]))
        defer { server.shutdown() }
        let (transcript, _) = try #require(fixture.exchange(port: server.port))
        let before = fixture.ticket
        #expect(!before.isEmpty)
        let serverSide = try #require(opened.elements.first).connection
        #expect(serverSide.loop.runAndWait { serverSide.value.issueSessionTicket() })
        #expect(eventually { fixture.ticket != before }, "the client never received the new ticket")
        #expect(transcript.received == ResumptionFixture.greeting)
    }

    @Test func theClientSideCannotIssueTickets() throws {
        let fixture = try ResumptionFixture()
        defer { fixture.shutdown() }
        let (server, _) = try fixture.startServer(ring: SessionTicketKeyRing([try .generate()]))
        defer { server.shutdown() }
        let (_, connection) = try #require(fixture.exchange(port: server.port))
        #expect(!connection.loop.runAndWait { connection.value.issueSessionTicket() })
    }

    @Test func clearEmptiesTheCacheSoTheNextConnectionHandshakesInFull() throws {
        let fixture = try ResumptionFixture()
        defer { fixture.shutdown() }
        let (server, _) = try fixture.startServer(ring: SessionTicketKeyRing([try .generate()]))
        defer { server.shutdown() }
        _ = try #require(fixture.exchange(port: server.port))
        #expect(fixture.hasSession)
        fixture.cache.loop.runAndWait { fixture.cache.value.clear() }
        #expect(!fixture.hasSession)
        let (_, connection) = try #require(fixture.exchange(port: server.port))
        #expect(!fixture.isResumed(connection))
    }

    /// A session carries the client certificate it was made with; after new
    /// credentials (clear), tickets for sessions from before must not return.
    @Test func aTicketThatAConnectionFromBeforeClearReceivesLaterIsNotKept() throws {
        let fixture = try ResumptionFixture()
        defer { fixture.shutdown() }
        let (server, opened) = try fixture.startServer(ring: SessionTicketKeyRing([try .generate()]))
        defer { server.shutdown() }
        let (transcript, earlier) = try #require(fixture.exchange(port: server.port))
        fixture.cache.loop.runAndWait { fixture.cache.value.clear() }
        let serverSide = try #require(opened.elements.first).connection
        #expect(serverSide.loop.runAndWait { serverSide.value.issueSessionTicket() })
        // The echo of this write follows the ticket on the stream: once it is back, the ticket was read.
        fixture.client.write(ResumptionFixture.greeting, on: earlier)
        #expect(eventually { transcript.received.count >= 2 * ResumptionFixture.greeting.count })
        #expect(!fixture.hasSession, "a ticket for a session made before clear was kept")
    }
}
