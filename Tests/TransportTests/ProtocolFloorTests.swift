import COpenSSL
import Primitives
import Testing
import TestSupport
@testable import Transport

/// The protocol floor of a context: TLS 1.3 only for the internal ports (the
/// peer and agent servers and the clients that dial them), TLS 1.2 and up for
/// the API. `openssl s_client -tls1_2` plays the old client.
@Suite struct ProtocolFloorTests {
    @Test func aTLS12OnlyClientIsRefusedByATLS13OnlyServerAndServedByTheAPIStyleOne() throws {
        try Prerequisite.requireTools("openssl")
        let certificates = try TestCertificates()
        let internalOpened = LockedList<OpenedConnection>()
        let internalPort = try TestServer(certificates: certificates, contexts: certificates.serverContexts(minimum: .tls13)) { _ in
            EchoLedgerHandler(opened: internalOpened, closesAfterEcho: true)
        }
        defer { internalPort.shutdown() }
        let apiOpened = LockedList<OpenedConnection>()
        let apiPort = try TestServer(certificates: certificates, contexts: certificates.serverContexts(minimum: .tls12)) { _ in
            EchoLedgerHandler(opened: apiOpened, closesAfterEcho: true)
        }
        defer { apiPort.shutdown() }
        let client = { (port: UInt16) in
            ["openssl", "s_client", "-connect", "127.0.0.1:\(port)", "-CAfile", certificates.authority.certificate,
             "-tls1_2", "-verify_return_error", "-ign_eof"]
        }

        let refused = try OutsidePeer.run(client(internalPort.port), input: "ping\n")
        #expect(refused.status != 0)
        #expect(refused.output.contains("alert protocol version"), "\(refused.output)")
        #expect(internalOpened.count == 0)
        #expect(eventually { internalPort.log.lines.contains { $0.contains("unsupported protocol") } }, "\(internalPort.log.lines)")

        let served = try OutsidePeer.run(client(apiPort.port), input: "ping\n")
        #expect(served.output.contains("New, TLSv1.2"), "\(served.output)")
        #expect(apiOpened.count == 1)
    }

    /// A client's floor holds against a server that offers only TLS 1.2.
    @Test func aTLS13OnlyClientRefusesATLS12OnlyServer() throws {
        let certificates = try TestCertificates()
        let contexts = try certificates.serverContexts()
        #expect(hs_SSL_CTX_set_max_proto_version(contexts.current.context, TLS1_2_VERSION) == 1)
        let opened = LockedList<OpenedConnection>()
        let server = try TestServer(certificates: certificates, contexts: contexts) { _ in
            EchoLedgerHandler(opened: opened, closesAfterEcho: false)
        }
        defer { server.shutdown() }
        let client = try LoopbackTLSClient(certificates: certificates)
        defer { client.shutdown() }
        let greeting = Array("hello".utf8)

        let internalClient = try certificates.clientContextStore(minimum: .tls13).current
        let (refused, _) = try #require(client.open(port: server.port, greeting: greeting, context: internalClient))
        #expect(eventually { refused.isClosed })
        #expect(!refused.opened)
        #expect(refused.closeReason?.description.contains("TLS handshake failed") == true, "\(String(describing: refused.closeReason))")

        let apiClient = try certificates.clientContextStore(minimum: .tls12).current
        let (served, _) = try #require(client.open(port: server.port, greeting: greeting, context: apiClient))
        #expect(eventually { served.received == greeting })
        #expect(opened.count == 1)
    }
}
