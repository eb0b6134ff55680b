import Certificates
import Glibc
import Primitives
import TestSupport
@testable import Transport

/// One connection as a resumption test's server saw it at the end of its handshake.
struct OpenedConnection: Sendable {
    let peer: AuthenticatedPeer?
    let resumed: Bool
    let connection: LoopBound<TLSConnection>
}

/// The server side of a resumption test: records every opened connection and
/// echoes what it reads, then closes if told to (so `openssl s_client
/// -ign_eof` ends once its echo, and any ticket sent before it, arrived).
final class EchoLedgerHandler: ConnectionHandler {
    private let opened: LockedList<OpenedConnection>
    private let closesAfterEcho: Bool

    init(opened: LockedList<OpenedConnection>, closesAfterEcho: Bool) {
        self.opened = opened
        self.closesAfterEcho = closesAfterEcho
    }

    func connectionDidOpen(_ connection: any Connection) {
        // The server under test accepts TLS connections only.
        let tls = connection as! TLSConnection
        opened.append(OpenedConnection(peer: tls.peer, resumed: tls.isResumed, connection: LoopBound(tls, loop: tls.loop)))
    }

    func connection(_ connection: any Connection, didRead bytes: UnsafeRawBufferPointer) {
        connection.write(Array(bytes))
        if closesAfterEcho { connection.close(.local("echoed")) }
    }

    func connectionDidClose(_ connection: any Connection, reason: CloseReason) {}
}

/// A test CA, a client with a `TLSSessionCache` on its loop, and mutual-TLS
/// servers set up as the agent port is: the authorizer names the peer, and
/// session tickets come from a given key ring. `shutdown` stops the client.
final class ResumptionFixture: Sendable {
    static let sessionContext = "hotswap-test-agent-port"
    static let greeting = Array("hello".utf8)

    let certificates: TestCertificates
    let client: LoopbackTLSClient
    let cache: LoopBound<TLSSessionCache>

    static var clientPeer: AuthenticatedPeer { AuthenticatedPeer(role: "operator", name: TestCertificates.clientIdentityName) }

    init() throws {
        certificates = try TestCertificates()
        client = try LoopbackTLSClient(certificates: certificates)
        let loop = client.loop
        cache = loop.runAndWait { LoopBound(TLSSessionCache(loop: loop), loop: loop) }
    }

    func shutdown() { client.shutdown() }

    /// Server contexts with mutual TLS; `ring` nil means no session tickets.
    /// `trustRoots` (a PEM bundle) replaces the fixture's CA as what client certificates must chain to;
    /// `isCertificateOptional` asks for a client certificate without demanding one (the enrolling agent port).
    func serverContexts(ring: SessionTicketKeyRing?, certificate: CertificatePaths? = nil,
                        trustRoots: String? = nil, isCertificateOptional: Bool = false) throws -> TLSContextStore {
        let presented = certificate ?? certificates.server
        let tickets = ring.map { SessionTickets(ring: $0, lifetime: .seconds(3600), sessionContext: Self.sessionContext) }
        return try TLSContextStore(
            TLSConfiguration(certificateChainPath: presented.certificate, privateKeyPath: presented.privateKey,
                             trustRootsPath: trustRoots ?? certificates.authority.certificate,
                             peerVerification: isCertificateOptional ? .requested(TestCertificates.authorizer)
                                 : .required(TestCertificates.authorizer), sessionTickets: tickets),
            side: .server)
    }

    /// A started server and the ledger of connections it opened.
    func startServer(ring: SessionTicketKeyRing?, certificate: CertificatePaths? = nil,
                     closesAfterEcho: Bool = false) throws -> (TestServer, LockedList<OpenedConnection>) {
        try startServer(contexts: serverContexts(ring: ring, certificate: certificate), closesAfterEcho: closesAfterEcho)
    }

    /// A started server on `contexts` (which the test may reload) and the ledger of connections it opened.
    func startServer(contexts: TLSContextStore, closesAfterEcho: Bool = false) throws -> (TestServer, LockedList<OpenedConnection>) {
        let opened = LockedList<OpenedConnection>()
        let server = try TestServer(certificates: certificates, contexts: contexts) { _ in
            EchoLedgerHandler(opened: opened, closesAfterEcho: closesAfterEcho)
        }
        return (server, opened)
    }

    /// Another session cache on the client's loop, for a second client identity.
    func makeCache() -> LoopBound<TLSSessionCache> {
        let loop = client.loop
        return loop.runAndWait { LoopBound(TLSSessionCache(loop: loop), loop: loop) }
    }

    /// A coordinator certificate for 127.0.0.1 other than the fixture's server's.
    func issueServerCertificate(name: String) throws -> CertificatePaths {
        try CertificateAuthority.issue(directory: certificates.directory, identity: NodeIdentity(role: .coordinator, name: name),
                                       ipAddresses: [TestCertificates.serverName], dnsNames: [])
    }

    /// A client context presenting `certificate`.
    func clientContext(presenting certificate: CertificatePaths) throws -> TLSContext {
        try TLSContext(TLSConfiguration(certificateChainPath: certificate.certificate, privateKeyPath: certificate.privateKey,
                                        trustRootsPath: certificates.authority.certificate, peerVerification: .none),
                       side: .client)
    }

    /// Connects with the cache and sends the greeting; waits until the server's
    /// echo came back (so any ticket sent at the handshake has been read too)
    /// or the connection closed. Nil when the connect could not start. `sessionCache` replaces the fixture's.
    func exchange(port: UInt16, context: TLSContext? = nil,
                  sessionCache: LoopBound<TLSSessionCache>? = nil) -> (ClientTranscript, LoopBound<TLSConnection>)? {
        let offered = sessionCache ?? cache
        guard let made = client.open(port: port, greeting: Self.greeting, context: context, sessionCache: offered) else { return nil }
        _ = eventually { made.0.received.count >= Self.greeting.count || made.0.isClosed }
        return made
    }

    /// Like `exchange`, but nothing here keeps the connection: once closed it is
    /// freed with its `SSL`, as in a product client. Nil when the connect could not start.
    func exchangeUnretained(port: UInt16) throws -> ClientTranscript? {
        let transcript = ClientTranscript()
        let loop = client.loop
        let context = client.context
        let address = try SocketAddress(host: "127.0.0.1", port: port)
        let started = loop.runAndWait { [cache] in
            (try? TLSClient.connect(to: address, expectedServerName: TestCertificates.serverName, context: context,
                                    sessionCache: cache.value, on: loop) { _ in
                RecordingHandler(transcript: transcript, greeting: Self.greeting)
            }) != nil
        }
        guard started else { return nil }
        _ = eventually { transcript.received.count >= Self.greeting.count || transcript.isClosed }
        return transcript
    }

    func isResumed(_ connection: LoopBound<TLSConnection>) -> Bool {
        connection.loop.runAndWait { connection.value.isResumed }
    }

    var hasSession: Bool { cache.loop.runAndWait { [cache] in cache.value.hasSession } }

    /// The cached ticket's bytes; the first 16 are the name of the key that encrypted it.
    var ticket: [UInt8] { cache.loop.runAndWait { [cache] in cache.value.ticket } }

    var ticketKeyName: [UInt8] { Array(ticket.prefix(SessionTicketKey.nameLength)) }
}
