import Certificates
import Cluster
@testable import Coordinator
import Fleet
import Foundation
import Observability
import Telemetry
import Testing
import TestSupport
import Transport

/// The coordinator's decision on a renewal request (Docs/CERTIFICATES.md, "Renewal"): the name is
/// the session certificate's, and only a held, unrevoked node inside its certificate's window gets one.
@Suite struct AgentCertificateRenewalTests {
    let directory = TemporaryDirectory()
    let renewal: AgentCertificateRenewal
    let revocations: AgentRevocations
    let raft: ScriptedGatewayRaft
    let metrics = MetricsRegistry()
    let authority: [UInt8]
    /// A session certificate of one minute, issued now: its window opens 40 s on.
    let now = Int64(Date().timeIntervalSince1970)
    var peer: AuthenticatedPeer { AuthenticatedPeer(role: "agent", name: "n1", notBeforeSeconds: now - 300, notAfterSeconds: now + 60) }
    /// The session's certificate (DER): one the signing CA issued, and one of another CA.
    let sessionCertificate: [UInt8]
    let otherCACertificate: [UInt8]

    /// A leaf for n1 from a new CA in `directory`, as DER.
    static func leaf(in directory: TemporaryDirectory) throws -> [UInt8] {
        let paths = try CertificateAuthority.issue(directory: directory.path, identity: NodeIdentity(role: .agent, name: "n1"),
                                                   ipAddresses: [], dnsNames: [])
        let pem = String(decoding: try #require(FileManager.default.contents(atPath: paths.certificate)), as: UTF8.self)
        let body = pem.split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined()
        return Array(try #require(Data(base64Encoded: body)))
    }

    init() throws {
        let paths = try CertificateAuthority.initialize(directory: directory.path)
        authority = Array(try #require(FileManager.default.contents(atPath: paths.certificate)))
        let signing = try AgentSigning(caPath: paths.certificate, keyPath: paths.privateKey, lifetimeSeconds: 60)
        sessionCertificate = try Self.leaf(in: directory)
        let other = TemporaryDirectory()
        _ = try CertificateAuthority.initialize(directory: other.path)
        otherCACertificate = try Self.leaf(in: other)
        var view = ClusterView(selfName: "c1", directory: MemberDirectory(founding: ClusterTopology(members: [])))
        view.nodes = ["n1": NodeRecord(id: "n1", environment: "production")]
        raft = ScriptedGatewayRaft(view: view)
        let logger = Logger(component: "test", sink: LogSink.capturing().0)
        revocations = AgentRevocations(logger: logger)
        renewal = AgentCertificateRenewal(signing: signing, raft: raft, revocations: revocations, logger: logger, metrics: metrics)
    }

    /// `presented`: the certificate the connection shows (`sessionCertificate` unless given).
    func ask(as peer: AuthenticatedPeer, at seconds: Int64, der: [UInt8]? = nil, resumed: Bool = false,
             presented: [UInt8]?? = nil) throws -> (EnrollmentAnswer, [UInt8]) {
        let made = try CertificateRequest.make(name: "someone-else")
        let payload = CertificateRenewalCodec.encode(CertificateRenewalRequest(certificateRequestDER: der ?? made.der))
        let answer = renewal.renew(payload, peer: peer, resumed: resumed, presentedCertificate: { presented ?? sessionCertificate },
                                   source: "127.0.0.1", nowUnixSeconds: seconds)
        return (answer, made.privateKeyPEM)
    }

    @Test func signsForTheSessionCertificatesNameInsideItsWindowOnly() throws {
        let (early, _) = try ask(as: peer, at: now + 39)
        guard case .refused = early else { Issue.record("renewed before the window: \(early)"); return }
        let (answer, key) = try ask(as: peer, at: now + 40)
        guard case let .issued(certificate, bundle) = answer else { Issue.record("refused in the window: \(answer)"); return }
        #expect(bundle == authority)
        let info = try IssuedCertificateCheck.verify(certificatePEM: certificate, privateKeyPEM: key, authorityPEM: authority,
                                                     expectedName: "n1", nowUnixSeconds: now + 40)
        #expect(info.notAfter == now + 100)
        let (late, _) = try ask(as: peer, at: now + 60)
        guard case .refused = late else { Issue.record("renewed an expired certificate: \(late)"); return }
    }

    @Test func refusesARevokedNodeAnUnknownOneAndAMalformedRequest() throws {
        let stranger = AuthenticatedPeer(role: "agent", name: "n2", notBeforeSeconds: now - 300, notAfterSeconds: now + 60)
        let (unknown, _) = try ask(as: stranger, at: now + 45)
        #expect(unknown == .refused("renewal refused: the fleet does not hold the node"))
        let (malformed, _) = try ask(as: peer, at: now + 45, der: [0x30, 0x00])
        guard case let .refused(reason) = malformed else { Issue.record("signed a malformed request"); return }
        #expect(reason.contains("not a DER PKCS#10"))
        revocations.install(["n1": NodeRevocation(node: "n1", revokedAtMilliseconds: UInt64(now) * 1_000)])
        let (revoked, _) = try ask(as: peer, at: now + 45)
        #expect(revoked == .refused("renewal refused: the node is revoked"))
        let rendered = metrics.exposition()
        #expect(rendered.contains("hotswap_certificate_renewals_total{outcome=\"refused\"} 3"), "\(rendered)")
        #expect(rendered.contains("hotswap_certificate_renewals_total{outcome=\"issued\"} 0"))
    }

    @Test func refusesAResumedSessionWhichProvesNoKey() throws {
        let (resumed, _) = try ask(as: peer, at: now + 45, resumed: true)
        #expect(resumed == .refused("renewal refused: a resumed TLS session proves no key: reconnect with a full handshake"))
        let (full, _) = try ask(as: peer, at: now + 45)
        guard case .issued = full else { Issue.record("refused after a full handshake: \(full)"); return }
        let rendered = metrics.exposition()
        #expect(rendered.contains("hotswap_certificate_renewals_total{outcome=\"refused\"} 1"), "\(rendered)")
    }

    /// Revoke, then reissue: a revocation before the session certificate's notBefore does not block its renewal.
    @Test func aRevocationBeforeTheCertificatesNotBeforeAllowsRenewal() throws {
        revocations.install(["n1": NodeRevocation(node: "n1", revokedAtMilliseconds: UInt64(now - 301) * 1_000)])
        let (answer, _) = try ask(as: peer, at: now + 45)
        guard case .issued = answer else { Issue.record("refused a certificate issued after the revocation: \(answer)"); return }
    }

    @Test func aRevocationAtOrAfterTheCertificatesNotBeforeRefusesRenewal() throws {
        revocations.install(["n1": NodeRevocation(node: "n1", revokedAtMilliseconds: UInt64(now - 300) * 1_000)])
        let (answer, _) = try ask(as: peer, at: now + 45)
        #expect(answer == .refused("renewal refused: the node is revoked"))
    }

    /// B2: across a CA rotation the new CA does not renew the old CA's certificates (nor one it cannot see).
    @Test(arguments: [true, false])
    func refusesACertificateTheSigningCADidNotSign(hasCertificate: Bool) throws {
        let (answer, _) = try ask(as: peer, at: now + 45, presented: .some(hasCertificate ? otherCACertificate : nil))
        #expect(answer == .refused("renewal refused: the session's certificate was not signed by the CA this coordinator signs with"))
    }
}
