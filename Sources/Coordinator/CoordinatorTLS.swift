import Certificates
import FileSystem
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
/// together on SIGHUP; the API's client certificates are stamped with the trust generation
/// of the CA their context was built from (`APITrust`). The agent port resumes sessions with tickets sealed
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
    /// The API port's trust generation: which `ca.pem` its client certificates were verified against.
    let apiTrust: APITrust
    private let revocations: AgentRevocations

    init(_ configuration: CoordinatorConfiguration, revocations: AgentRevocations) throws(TransportError) {
        self.revocations = revocations
        let roots = try Self.readRoots(configuration.caPath)
        apiTrust = APITrust(roots: roots)
        api = try TLSContextStore(Self.apiSettings(configuration, revocations: revocations, trustGeneration: 0), side: .server)
        guard try Self.readRoots(configuration.caPath) == roots else { throw Self.rootsChanged(configuration.caPath) }
        peer = try TLSContextStore(Self.settings(configuration, .required(Self.authorizer(allowing: [.coordinator]))), side: .server)
        let agentAuthorizer = Self.authorizer(allowing: [.agent], revocations: revocations)
        // Enrolling (`--signing-key`): an agent without a certificate may connect to enroll; one presented must verify.
        var agentSettings = Self.settings(configuration, configuration.signingKeyPath == nil
                                          ? .required(agentAuthorizer) : .requested(agentAuthorizer))
        agentSettings.sessionTickets = SessionTickets(ring: ticketKeys, lifetime: Self.agentTicketLifetime,
                                                      sessionContext: Self.agentSessionContext)
        agent = try TLSContextStore(agentSettings, side: .server)
        peerClient = try TLSContextStore(Self.settings(configuration, .required(Self.authorizer(allowing: [.coordinator]))),
                                         side: .client)
    }

    /// Reloads every store from disk; on any failure each keeps its old
    /// context. The caller has run the start-up check first (`verifyCertificates`). The API's
    /// context is built under the trust generation of the `ca.pem` read just before; one that
    /// changes while the contexts are built fails the reload (what the contexts loaded is then
    /// not known), so a generation always names the roots its context verifies with. Once the
    /// contexts are installed the generation is in force: the trust generation now.
    func reload(_ configuration: CoordinatorConfiguration) throws(TransportError) -> UInt64 {
        let roots = try Self.readRoots(configuration.caPath)
        let generation = apiTrust.generation(for: roots)
        let others = [peer, agent, peerClient]
        var fresh = [try TLSContext(Self.apiSettings(configuration, revocations: revocations, trustGeneration: generation), side: .server)]
        for store in others { fresh.append(try store.makeFreshContext()) }
        guard try Self.readRoots(configuration.caPath) == roots else { throw Self.rootsChanged(configuration.caPath) }
        for (store, context) in zip([api] + others, fresh) { store.install(context) }
        apiTrust.install(roots, generation: generation)
        return generation
    }

    private static func settings(_ configuration: CoordinatorConfiguration, _ verification: TLSConfiguration.PeerVerification,
                                 minimum: TLSConfiguration.ProtocolVersion = .tls13) -> TLSConfiguration {
        TLSConfiguration(certificateChainPath: configuration.certificatePath, privateKeyPath: configuration.privateKeyPath,
                         trustRootsPath: configuration.caPath, peerVerification: verification, minimumProtocolVersion: minimum)
    }

    /// The API port's settings (TLS 1.2 and up, a certificate of any role requested), its
    /// authorizer stamping `trustGeneration`.
    private static func apiSettings(_ configuration: CoordinatorConfiguration, revocations: AgentRevocations,
                                    trustGeneration: UInt64) -> TLSConfiguration {
        settings(configuration, .requested(authorizer(allowing: Set(NodeRole.allCases), revocations: revocations,
                                                      trustGeneration: trustGeneration)), minimum: .tls12)
    }

    /// The bytes of the trust roots at `path` (a few kilobytes; at most 1 MiB).
    static func readRoots(_ path: String) throws(TransportError) -> [UInt8] {
        do {
            return try FileReader.read(path, maximumBytes: 1 << 20)
        } catch {
            throw .credential(.trustRoots(path: path), detail: "\(error)")
        }
    }

    private static func rootsChanged(_ path: String) -> TransportError {
        .credential(.trustRoots(path: path), detail: "it changed while it was being loaded; load it again once it is written")
    }

    /// Accepts a CA-verified certificate only if its HotSwap identity has one of `roles` and, given
    /// `revocations`, its name is not revoked for a certificate of its notBefore; the identity
    /// carries `trustGeneration`, that of the roots its context verifies with. Runs on TLS
    /// threads at every full handshake and again after every resumed one. The API port takes
    /// every role here and leaves the role to its guard, so a request can be told why (`APIGuard`).
    static func authorizer(allowing roles: Set<NodeRole>, revocations: AgentRevocations? = nil,
                           trustGeneration: UInt64 = 0) -> PeerAuthorizer {
        { certificate in
            guard let identity = NodeIdentity.identity(ofCertificate: certificate) else {
                return .failure(PeerRejection("certificate carries no single hotswap:// identity (none, a malformed one, or several)"))
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
                                              notAfterSeconds: CertificateInfo.notAfterSeconds(ofCertificate: certificate),
                                              trustGeneration: trustGeneration))
        }
    }
}
