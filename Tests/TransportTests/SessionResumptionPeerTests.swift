import Certificates
import Foundation
import Glibc
import Primitives
import Testing
import TestSupport
@testable import Transport

/// Resumption with peers other than our own client: `openssl s_client`, a
/// client whose certificate expires between handshakes, and `FrameLink`'s redials.
@Suite struct SessionResumptionPeerTests {
    @Test func opensslSClientResumesWithTheTicketItWasGiven() throws {
        try Prerequisite.requireTools("openssl")
        let fixture = try ResumptionFixture()
        defer { fixture.shutdown() }
        let (server, opened) = try fixture.startServer(ring: SessionTicketKeyRing([try .generate()]), closesAfterEcho: true)
        defer { server.shutdown() }
        let certificates = fixture.certificates
        let sessionFile = certificates.directory + "/s_client.session"
        let client = ["openssl", "s_client", "-connect", "127.0.0.1:\(server.port)", "-CAfile", certificates.authority.certificate,
                      "-cert", certificates.client.certificate, "-key", certificates.client.privateKey,
                      "-tls1_3", "-verify_return_error", "-ign_eof"]

        let first = try OutsidePeer.run(client + ["-sess_out", sessionFile], input: "ping\n")
        #expect(first.output.contains("New, TLSv1.3"), "\(first.output)")
        let second = try OutsidePeer.run(client + ["-sess_in", sessionFile], input: "ping\n")
        #expect(second.output.contains("Reused, TLSv1.3"), "\(second.output)")
        #expect(opened.elements.map(\.resumed) == [false, true])
        #expect(opened.elements.map(\.peer) == [ResumptionFixture.clientPeer, ResumptionFixture.clientPeer])
    }

    /// Where a certificate is asked for but not demanded (the enrolling agent port), a client without
    /// one gets no ticket, so `openssl s_client` has no TLS 1.3 session to save (`-sess_out`) and
    /// every connection is a full handshake that asks for a certificate anew; a client with one on
    /// the same server still resumes.
    @Test func aClientWithoutACertificateIsGivenNothingToResume() throws {
        try Prerequisite.requireTools("openssl")
        let fixture = try ResumptionFixture()
        defer { fixture.shutdown() }
        let contexts = try fixture.serverContexts(ring: SessionTicketKeyRing([try .generate()]), isCertificateOptional: true)
        let (server, opened) = try fixture.startServer(contexts: contexts, closesAfterEcho: true)
        defer { server.shutdown() }
        let certificates = fixture.certificates
        let client = ["openssl", "s_client", "-connect", "127.0.0.1:\(server.port)", "-CAfile", certificates.authority.certificate,
                      "-tls1_3", "-verify_return_error", "-ign_eof"]
        let anonymous = certificates.directory + "/anonymous.session"
        let first = try OutsidePeer.run(client + ["-sess_out", anonymous], input: "ping\n")
        #expect(first.output.contains("New, TLSv1.3"), "\(first.output)")
        #expect(!FileManager.default.fileExists(atPath: anonymous), "s_client was given a session to resume: \(first.output)")
        #expect(opened.elements.map(\.resumed) == [false])
        #expect(opened.elements.map(\.peer) == [nil])

        let certified = client + ["-cert", certificates.client.certificate, "-key", certificates.client.privateKey]
        let withCertificate = certificates.directory + "/certified.session"
        _ = try OutsidePeer.run(certified + ["-sess_out", withCertificate], input: "ping\n")
        let resumed = try OutsidePeer.run(certified + ["-sess_in", withCertificate], input: "ping\n")
        #expect(resumed.output.contains("Reused, TLSv1.3"), "the ring issues tickets to certified clients: \(resumed.output)")
        #expect(opened.elements.map(\.peer).last == ResumptionFixture.clientPeer)
    }

    @Test func aSessionWhoseClientCertificateExpiredIsNotResumed() throws {
        let fixture = try ResumptionFixture()
        defer { fixture.shutdown() }
        let (server, opened) = try fixture.startServer(ring: SessionTicketKeyRing([try .generate()]))
        defer { server.shutdown() }
        let (shortLived, notAfter) = try resumableSessionWithShortLivedCertificate(fixture, port: server.port)
        let openedBefore = opened.count
        #expect(eventually(timeout: .seconds(60)) { Int64(time(nil)) > notAfter })

        // In TLS 1.3 the client's handshake is done before the server has
        // checked its certificate, so the client may see it open, then the end.
        let (refused, _) = try #require(fixture.exchange(port: server.port, context: shortLived))
        #expect(eventually { refused.isClosed })
        #expect(refused.received.isEmpty)
        #expect(opened.count == openedBefore, "the server opened a connection for an expired certificate")
        #expect(eventually { server.log.lines.contains { $0.contains("TLS handshake failed: certificate has expired") } },
                "\(server.log.lines)")
        #expect(server.metrics.exposition().contains("hotswap_transport_handshake_failures_total{endpoint=\"test-tls\"} 1"))
        #expect(fixture.hasSession, "the refused handshake should leave the cached session alone")

        let renewed = try fixture.clientContext(presenting: CertificateAuthority.issue(
            directory: fixture.certificates.directory, identity: NodeIdentity(role: .operator, name: "renewed"),
            ipAddresses: [], dnsNames: []))
        let (admitted, connection) = try #require(fixture.exchange(port: server.port, context: renewed))
        #expect(admitted.opened && !fixture.isResumed(connection))
        #expect(opened.elements.last?.peer == AuthenticatedPeer(role: "operator", name: "renewed"))
    }

    /// A client context whose certificate expires within seconds, and a cached
    /// session from it. A machine too slow to finish the handshake in time
    /// gets a longer-lived certificate on the next try.
    private func resumableSessionWithShortLivedCertificate(_ fixture: ResumptionFixture, port: UInt16) throws
        -> (context: TLSContext, notAfter: Int64)
    {
        for validitySeconds in [3, 6, 12, 24] as [Int64] {
            let now = Int64(time(nil))
            let certificate = try CertificateAuthority.issue(
                directory: fixture.certificates.directory,
                identity: NodeIdentity(role: .operator, name: "short-lived-\(validitySeconds)"),
                ipAddresses: [], dnsNames: [], notBefore: now - 60, notAfter: now + validitySeconds)
            let context = try fixture.clientContext(presenting: certificate)
            fixture.cache.loop.runAndWait { fixture.cache.value.clear() }
            let (transcript, _) = try #require(fixture.exchange(port: port, context: context))
            if transcript.opened, fixture.hasSession { return (context, now + validitySeconds) }
        }
        throw NoHandshakeInTime()
    }

    private struct NoHandshakeInTime: Error {}

    @Test func aFrameLinkThatRedialsResumesItsSession() throws {
        let fixture = try ResumptionFixture()
        defer { fixture.shutdown() }
        let contexts = try fixture.serverContexts(ring: SessionTicketKeyRing([try .generate()]))
        let makeServer = { (port: UInt16) in
            try TestServer(certificates: fixture.certificates, contexts: contexts, port: port) { connection in
                FrameChannel(connection: connection, frameSizeMaximumBytes: 1 << 16, idleTimeout: .seconds(30),
                             receiver: EchoReceiver(ledger: FrameLedger()))
            }
        }
        var server = try makeServer(0)
        let port = server.port
        let loop = fixture.client.loop
        let receiver = RecordingLinkReceiver()
        let clientContexts = try fixture.certificates.clientContextStore()
        let address = try SocketAddress(host: "127.0.0.1", port: port)
        let link = loop.runAndWait {
            let link = FrameLink(loop: loop, target: HostPort(address), serverName: TestCertificates.serverName, contexts: clientContexts,
                                 backoff: Backoff(initial: .milliseconds(20), maximum: .milliseconds(100), seed: 1),
                                 receiver: receiver, sessionCache: fixture.cache.value)
            link.start()
            return LoopBound(link, loop: loop)
        }
        defer { loop.runAndWait { link.value.stop() } }
        #expect(eventually { fixture.hasSession })
        server.shutdown()
        server = try makeServer(port)
        defer { server.shutdown() }
        #expect(eventually { receiver.connects.count == 2 })
        #expect(eventually { server.metrics.exposition().contains("hotswap_transport_handshakes_resumed_total{endpoint=\"test-tls\"} 1") })
    }
}
