import Certificates
import Glibc
import Transport

extension AgentConfiguration {
    /// The one check of this agent's credentials, at start-up and again
    /// before every SIGHUP reload swaps anything: the certificate and key
    /// parse and belong together, the certificate chains to `ca.pem`, both
    /// are valid now, and it names role agent and this node (`CertificateVerifier`).
    public func verifyCertificate(nowUnixSeconds: Int64 = Int64(time(nil))) throws(CertificateError) -> CertificateInfo {
        try CertificateVerifier.verify(certificatePath: certificatePath, privateKeyPath: privateKeyPath, caPath: caPath,
                                       expectedRole: .agent, expectedName: name, nowUnixSeconds: nowUnixSeconds)
    }
}

/// The agent's side of mutual TLS: it presents `NAME.pem`/`NAME.key` and
/// accepts only a server whose certificate chains to `ca.pem` and carries a
/// `hotswap://coordinator/NAME` identity (besides the address the agent
/// dialled, which `TLSClient` checks). TLS 1.3 only, as the agent port
/// demands. Rebuilt from disk on SIGHUP, once `verifyCertificate` passes.
enum AgentTLS {
    static func makeContexts(_ configuration: AgentConfiguration) throws(TransportError) -> TLSContextStore {
        try TLSContextStore(
            TLSConfiguration(certificateChainPath: configuration.certificatePath,
                             privateKeyPath: configuration.privateKeyPath,
                             trustRootsPath: configuration.caPath,
                             peerVerification: .required(coordinatorsOnly), minimumProtocolVersion: .tls13),
            side: .client)
    }

    static let coordinatorsOnly: PeerAuthorizer = { certificate in
        guard let identity = NodeIdentity.identity(ofCertificate: certificate) else {
            return .failure(PeerRejection("server certificate carries no hotswap:// identity"))
        }
        guard identity.role == .coordinator else {
            return .failure(PeerRejection("server is \(identity), not a coordinator"))
        }
        return .success(AuthenticatedPeer(role: identity.role.rawValue, name: identity.name))
    }
}
