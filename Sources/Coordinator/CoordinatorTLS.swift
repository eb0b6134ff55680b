import Certificates
import Glibc
import Transport

extension CoordinatorConfiguration {
    /// The one check of this coordinator's credentials, at start-up and again
    /// before every SIGHUP reload swaps anything: the certificate and key
    /// parse and belong together, the certificate chains to `ca.pem`, both
    /// are valid now, and it names role coordinator and this node
    /// (`CertificateVerifier`).
    public func verifyCertificates(nowUnixSeconds: Int64 = Int64(time(nil))) throws(CertificateError) -> CertificateInfo {
        try CertificateVerifier.verify(certificatePath: certificatePath, privateKeyPath: privateKeyPath, caPath: caPath,
                                       expectedRole: .coordinator, expectedName: name, nowUnixSeconds: nowUnixSeconds)
    }
}

/// The coordinator's TLS credentials: server-auth for the API (TLS 1.2 and
/// up, for old clients; a client certificate of the cluster CA requested, not
/// required: Docs/ACCESS.md "Client certificates"), mutual TLS 1.3 restricted to coordinators on the
/// peer port and to agents on the agent port, and the TLS 1.3 client side it
/// dials other coordinators with. All reload
/// together on SIGHUP. The agent port resumes sessions with tickets sealed
/// under the cluster's replicated keys (`ticketKeys`), so agents that lose
/// a leader resume on the next one instead of a full handshake.
struct CoordinatorTLS: Sendable {
    /// An agent's ticket outlives one key rotation; sessions are given a
    /// fresh ticket at each rotation, so a connected agent's never expires.
    static let agentTicketLifetime: Duration = .seconds(2 * 3_600)
    static let agentSessionContext = "hotswap-agent-port"

    let api: TLSContextStore
    let peer: TLSContextStore
    let agent: TLSContextStore
    /// For dialing other coordinators: verifies they are coordinators of our CA.
    let peerClient: TLSContextStore
    /// The replicated session ticket keys, installed as Raft applies them.
    let ticketKeys = SessionTicketKeyRing()

    init(_ configuration: CoordinatorConfiguration, revocations: AgentRevocations) throws(TransportError) {
        func settings(_ verification: TLSConfiguration.PeerVerification,
                      minimum: TLSConfiguration.ProtocolVersion = .tls13) -> TLSConfiguration {
            TLSConfiguration(certificateChainPath: configuration.certificatePath,
                             privateKeyPath: configuration.privateKeyPath,
                             trustRootsPath: configuration.caPath, peerVerification: verification,
                             minimumProtocolVersion: minimum)
        }
        api = try TLSContextStore(settings(.requested(Self.authorizer(allowing: Set(NodeRole.allCases), revocations: revocations)),
                                           minimum: .tls12), side: .server)
        peer = try TLSContextStore(settings(.required(Self.authorizer(allowing: [.coordinator]))), side: .server)
        var agentSettings = settings(.required(Self.authorizer(allowing: [.agent], revocations: revocations)))
        agentSettings.sessionTickets = SessionTickets(ring: ticketKeys, lifetime: Self.agentTicketLifetime,
                                                      sessionContext: Self.agentSessionContext)
        agent = try TLSContextStore(agentSettings, side: .server)
        peerClient = try TLSContextStore(settings(.required(Self.authorizer(allowing: [.coordinator]))), side: .client)
    }

    /// Reloads every store from disk; on any failure each keeps its old
    /// context. The caller has run the start-up check first (`verifyCertificates`).
    func reload() throws(TransportError) {
        let stores = [api, peer, agent, peerClient]
        var fresh: [TLSContext] = []
        for store in stores { fresh.append(try store.makeFreshContext()) }
        for (store, context) in zip(stores, fresh) { store.install(context) }
    }

    /// Accepts a CA-verified certificate only if its HotSwap identity has one of `roles` and, given
    /// `revocations`, its name is not revoked for a certificate of its notBefore. Runs on TLS
    /// threads at every full handshake and again after every resumed one. The API port takes
    /// every role here and leaves the role to its guard, so a request can be told why (`APIGuard`).
    static func authorizer(allowing roles: Set<NodeRole>, revocations: AgentRevocations? = nil) -> PeerAuthorizer {
        { certificate in
            guard let identity = NodeIdentity.identity(ofCertificate: certificate) else {
                return .failure(PeerRejection("certificate carries no hotswap:// identity"))
            }
            guard roles.contains(identity.role) else {
                let allowed = roles.map { "\($0.rawValue)s" }.sorted().joined(separator: ", ")
                return .failure(PeerRejection("\(identity) may not connect here: only \(allowed) may"))
            }
            let notBefore = CertificateInfo.notBeforeSeconds(ofCertificate: certificate)
            if let revocation = revocations?.denial(of: identity.name, notBeforeSeconds: notBefore) {
                return .failure(PeerRejection(AgentRevocations.reason(revocation)))
            }
            return .success(AuthenticatedPeer(role: identity.role.rawValue, name: identity.name, notBeforeSeconds: notBefore,
                                              notAfterSeconds: CertificateInfo.notAfterSeconds(ofCertificate: certificate)))
        }
    }
}
