import Certificates
import COpenSSL
import Foundation
import Glibc
import Testing
import TestSupport
@testable import Transport

/// A resumed session is held to the trust roots in force: when a reload
/// (SIGHUP) drops a CA, a ticket issued to a client of that CA no longer
/// resumes, and the full handshake it falls back to refuses the client.
@Suite struct TrustRotationTests {
    @Test func aTicketFromACADroppedAtReloadDoesNotResumeWhileOneFromTheKeptCADoes() throws {
        let fixture = try ResumptionFixture()
        defer { fixture.shutdown() }
        let authorityA = fixture.certificates.authority.certificate
        let directoryB = TemporaryDirectory()
        let authorityB = try CertificateAuthority.initialize(directory: directoryB.path).certificate
        let clientB = try fixture.clientContext(presenting: CertificateAuthority.issue(
            directory: directoryB.path, identity: NodeIdentity(role: .operator, name: "from-b"), ipAddresses: [], dnsNames: []))
        let bundle = fixture.certificates.directory + "/trusted.pem"
        try writeBundle(of: [authorityA, authorityB], to: bundle)
        let contexts = try fixture.serverContexts(ring: SessionTicketKeyRing([try .generate()]), trustRoots: bundle)
        let (server, opened) = try fixture.startServer(contexts: contexts)
        defer { server.shutdown() }
        let cacheB = fixture.makeCache()

        let (firstA, _) = try #require(fixture.exchange(port: server.port))
        let (firstB, _) = try #require(fixture.exchange(port: server.port, context: clientB, sessionCache: cacheB))
        #expect(firstA.opened && firstB.opened)
        #expect(fixture.hasSession && cacheB.loop.runAndWait { cacheB.value.hasSession })

        try writeBundle(of: [authorityB], to: bundle)
        try contexts.reload()
        let openedBefore = opened.count

        let (refused, _) = try #require(fixture.exchange(port: server.port))
        #expect(eventually { refused.isClosed })
        #expect(refused.received.isEmpty)
        #expect(opened.count == openedBefore, "a client of the dropped CA resumed its session")
        let refusal = "TLS handshake failed: self-signed certificate in certificate chain"
        #expect(eventually { server.log.lines.contains { $0.contains(refusal) } }, "\(server.log.lines)")

        let (kept, keptConnection) = try #require(fixture.exchange(port: server.port, context: clientB, sessionCache: cacheB))
        #expect(kept.opened && fixture.isResumed(keptConnection))
        #expect(opened.elements.last.map { $0.resumed && $0.peer == AuthenticatedPeer(role: "operator", name: "from-b") } == true)
    }

    /// The check a decrypted ticket's session goes through reads the chain,
    /// the dates and the authorizer of the context the connection is on.
    @Test func theSessionCheckVerifiesTheChainTheDatesAndTheAuthorizer() throws {
        let fixture = try ResumptionFixture()
        defer { fixture.shutdown() }
        let certificates = fixture.certificates
        let now = Int64(time(nil))
        let expired = try CertificateAuthority.issue(
            directory: certificates.directory, identity: NodeIdentity(role: .agent, name: "expired"),
            ipAddresses: [], dnsNames: [], notBefore: now - 7200, notAfter: now - 3600)
        let stranger = TemporaryDirectory()
        _ = try CertificateAuthority.initialize(directory: stranger.path)
        let foreign = try CertificateAuthority.issue(
            directory: stranger.path, identity: NodeIdentity(role: .operator, name: "foreign"), ipAddresses: [], dnsNames: [])
        let trusting = try fixture.serverContexts(ring: nil).current
        let refusing = try certificates.serverContexts(authorizer: { _ in .failure(PeerRejection("nobody")) }).current

        #expect(try passes(certificates.client.certificate, on: trusting))
        #expect(try !passes(expired.certificate, on: trusting))
        #expect(try !passes(foreign.certificate, on: trusting))
        #expect(try !passes(certificates.client.certificate, on: refusing))
        #expect(ERR_peek_error() == 0, "the check left errors on OpenSSL's queue")
    }

    private func passes(_ certificatePath: String, on context: TLSContext) throws -> Bool {
        let ssl = try #require(SSL_new(context.context))
        defer { SSL_free(ssl) }
        let file = try #require(BIO_new_file(certificatePath, "r"))
        defer { BIO_free(file) }
        let certificate = try #require(PEM_read_bio_X509(file, nil, nil, nil))
        defer { X509_free(certificate) }
        return TLSContext.sessionCertificatePasses(certificate, on: ssl)
    }

    private func writeBundle(of authorities: [String], to path: String) throws {
        let pem = try authorities.map { try String(contentsOfFile: $0, encoding: .utf8) }.joined()
        try pem.write(toFile: path, atomically: true, encoding: .utf8)
    }
}
