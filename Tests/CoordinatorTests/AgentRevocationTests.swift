import COpenSSL
import Certificates
@testable import Coordinator
import Fleet
import Foundation
import Observability
import Telemetry
import Testing
import TestSupport
import Transport
import Wire

/// The agent port's deny-list: what a revocation closes when it applies (every connection of
/// the node — session and standby — and nothing else), what it refuses afterwards (at open, at
/// hello, in the TLS authorizer that runs at full and resumed handshakes), and that a
/// certificate issued after it is accepted again.
@Suite struct AgentRevocationTests {
    /// The certificates in these tests became valid at this second (the harness's default).
    static let notBefore: Int64 = 1_700_000_000

    static func revoked(_ node: String, atSecond second: Int64 = notBefore + 10) -> [String: NodeRevocation] {
        [node: NodeRevocation(node: node, revokedAtMilliseconds: UInt64(second) * 1_000 + 500)]
    }

    @Test func aRevocationClosesEveryConnectionOfTheNodeAtOnceAndNoOther() throws {
        let port = try AgentPort()
        port.publish(.leader(term: 4, lease: .seconds(60)))
        let session = port.connect(certifiedAs: "n1")
        session.send(AgentSays.hello("n1"))
        let standby = port.connect(certifiedAs: "n1")
        let bystander = port.connect(certifiedAs: "n2")
        bystander.send(AgentSays.hello("n2"))
        #expect(port.revocations.openCount(of: "n1") == 2)
        port.revocations.install(Self.revoked("n1"))
        port.embedded.run()
        let reason = AgentRevocations.reason(try #require(Self.revoked("n1")["n1"]))
        #expect(session.closeReason == .local(reason))
        #expect(standby.closeReason == .local(reason), "a standby (no hello) is closed too")
        #expect(bystander.connection.isOpen)
        #expect(port.metrics.value("hotswap_agents_connected") == 1)
        #expect(port.revocations.openCount(of: "n1") == 0)
        let lines = port.logLines(containing: "node revoked; closing its agent connections")
        #expect(lines.count == 1 && lines[0].contains("n1") && lines[0].contains("connections=2"), "\(lines)")
    }

    @Test func aRevokedCertificateIsClosedWhenItsConnectionOpens() throws {
        let port = try AgentPort()
        port.publish(.leader(term: 4, lease: .seconds(60)))
        port.revocations.install(Self.revoked("n1"))
        let agent = port.connect(certifiedAs: "n1")
        port.embedded.run()
        #expect(agent.closeReason == .local(AgentRevocations.reason(try #require(Self.revoked("n1")["n1"]))))
        #expect(port.metrics.value("hotswap_agent_sessions_refused_total") == 1)
    }

    /// The revocation's close is queued on the connection's loop; a hello already being read
    /// there is refused by the hello check, not welcomed.
    @Test func aHelloReadBeforeTheRevocationsCloseRunsIsRefused() throws {
        let port = try AgentPort()
        port.publish(.leader(term: 4, lease: .seconds(60)))
        let agent = port.connect(certifiedAs: "n1")
        port.revocations.install(Self.revoked("n1"))
        agent.connection.deliver(FrameCodec.encode(Frame(kind: FrameKind.agentHello.rawValue,
                                                         payload: AgentSessionCodec.encode(AgentSays.hello("n1")))))
        let reason = AgentRevocations.reason(try #require(Self.revoked("n1")["n1"]))
        #expect(agent.closeReason == .protocolViolation("agent (no hello yet): " + reason))
        port.embedded.run()
        #expect(try agent.received() == [])
        #expect(port.gateway.window(of: "n1") == nil)
    }

    @Test func aCertificateIssuedAfterTheRevocationIsWelcomed() throws {
        let port = try AgentPort()
        port.publish(.leader(term: 4, lease: .seconds(60)))
        port.revocations.install(Self.revoked("n1", atSecond: Self.notBefore + 10))
        let sameSecond = port.connect(certifiedAs: "n1", notBeforeSeconds: Self.notBefore + 10)
        port.embedded.run()
        let revocation = try #require(Self.revoked("n1", atSecond: Self.notBefore + 10)["n1"])
        #expect(sameSecond.closeReason == .local(AgentRevocations.reason(revocation)),
                "valid from the revocation's own second: refused")
        let reissued = port.connect(certifiedAs: "n1", notBeforeSeconds: Self.notBefore + 11)
        reissued.send(AgentSays.hello("n1"))
        #expect(try reissued.received() == [.welcome(AgentWelcome(leaderTerm: 4, leaderName: "c1", acknowledgedSequence: 0))])
        port.revocations.install(Self.revoked("n1", atSecond: Self.notBefore + 10))
        port.embedded.run()
        #expect(reissued.connection.isOpen, "installing the same list again closes nothing")
    }

    @Test func liftingARevocationAcceptsTheOldCertificateAgain() throws {
        let port = try AgentPort()
        port.publish(.leader(term: 4, lease: .seconds(60)))
        port.revocations.install(Self.revoked("n1"))
        port.revocations.install([:])
        let agent = port.connect(certifiedAs: "n1")
        agent.send(AgentSays.hello("n1"))
        #expect(try agent.received().count == 1)
        #expect(port.logLines(containing: "node revocation lifted").count == 1)
    }

    // MARK: - The TLS authorizer

    /// A real agent certificate for `name`, valid from `notBefore`, as OpenSSL holds it in a handshake.
    static func certificate(_ name: String, notBefore: Int64, in directory: TemporaryDirectory) throws -> OpaquePointer {
        _ = try CertificateAuthority.issue(directory: directory.path, identity: NodeIdentity(role: .agent, name: name),
                                           ipAddresses: [], dnsNames: [], notBefore: notBefore, notAfter: notBefore + 86_400)
        let pem = try #require(FileManager.default.contents(atPath: directory.path + "/\(name).pem"))
        return try #require(pem.withUnsafeBytes { buffer -> OpaquePointer? in
            let bio = BIO_new_mem_buf(buffer.baseAddress, Int32(buffer.count))
            defer { BIO_free(bio) }
            return PEM_read_bio_X509(bio, nil, nil, nil)
        })
    }

    @Test func theAuthorizerRefusesARevokedCertificateAndPassesOnItsNotBefore() throws {
        let directory = TemporaryDirectory()
        _ = try CertificateAuthority.initialize(directory: directory.path)
        let old = try Self.certificate("n1", notBefore: Self.notBefore, in: directory)
        defer { X509_free(old) }
        let other = try Self.certificate("n2", notBefore: Self.notBefore, in: directory)
        defer { X509_free(other) }
        let (sink, _) = LogSink.capturing()
        let revocations = AgentRevocations(logger: Logger(component: "test", sink: sink))
        let authorize = CoordinatorTLS.authorizer(allowing: [.agent], revocations: revocations)
        let peer = try authorize(old).get()
        #expect(peer.role == "agent" && peer.name == "n1" && peer.notBeforeSeconds == Self.notBefore)
        #expect(peer.notAfterSeconds.map { $0 > Self.notBefore } == true)
        revocations.install(Self.revoked("n1"))
        guard case let .failure(rejection) = authorize(old) else {
            Issue.record("a revoked certificate passed the authorizer")
            return
        }
        #expect(rejection.reason == AgentRevocations.reason(try #require(Self.revoked("n1")["n1"])))
        #expect(try authorize(other).get().name == "n2", "another node's certificate still passes")
        let fresh = TemporaryDirectory()
        _ = try CertificateAuthority.initialize(directory: fresh.path)
        let reissued = try Self.certificate("n1", notBefore: Self.notBefore + 11, in: fresh)
        defer { X509_free(reissued) }
        #expect(try authorize(reissued).get().notBeforeSeconds == Self.notBefore + 11)
    }
}
