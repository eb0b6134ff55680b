import Certificates
import Glibc
import TestSupport
import Transport

/// A throwaway cluster CA in a fresh temporary directory, with a server
/// certificate for 127.0.0.1 and an operator certificate for clients.
/// The directory and everything in it is removed when the value is released.
final class TestCertificates: Sendable {
    private let scratch: TemporaryDirectory
    let directory: String
    let authority: CertificatePaths
    let server: CertificatePaths
    let client: CertificatePaths

    static let serverName = "127.0.0.1"
    static let clientIdentityName = "ops"

    /// Names the peer from the hotswap:// identity in its certificate, as the product does.
    static let authorizer: PeerAuthorizer = { certificate in
        guard let identity = NodeIdentity.identity(ofCertificate: certificate) else {
            return .failure(PeerRejection("no hotswap identity"))
        }
        return .success(AuthenticatedPeer(role: identity.role.rawValue, name: identity.name))
    }

    init() throws {
        scratch = TemporaryDirectory()
        directory = scratch.path
        authority = try CertificateAuthority.initialize(directory: directory)
        server = try CertificateAuthority.issue(
            directory: directory, identity: NodeIdentity(role: .coordinator, name: "c1"),
            ipAddresses: [Self.serverName], dnsNames: ["localhost"])
        client = try CertificateAuthority.issue(
            directory: directory, identity: NodeIdentity(role: .operator, name: Self.clientIdentityName),
            ipAddresses: [], dnsNames: [])
    }

    /// The server's contexts; with `authorizer`, clients must present a certificate it accepts
    /// (with `isCertificateOptional`, one they present must pass it, but they may present none).
    /// `presenting` replaces the server certificate; `minimum` is the protocol floor.
    func serverContexts(authorizer: PeerAuthorizer? = nil, isCertificateOptional: Bool = false, presenting: CertificatePaths? = nil,
                        minimum: TLSConfiguration.ProtocolVersion = .tls12) throws -> TLSContextStore {
        let verification: TLSConfiguration.PeerVerification = authorizer.map { isCertificateOptional ? .requested($0) : .required($0) }
            ?? .none
        let presented = presenting ?? server
        return try TLSContextStore(
            TLSConfiguration(certificateChainPath: presented.certificate, privateKeyPath: presented.privateKey,
                             trustRootsPath: authority.certificate, peerVerification: verification,
                             minimumProtocolVersion: minimum),
            side: .server)
    }

    /// A client context that verifies the server against this CA and presents the operator certificate.
    func clientContext() throws -> TLSContext {
        try clientContextStore().current
    }

    /// Client contexts presenting the operator certificate; with `authorizer`,
    /// the server must pass it and connections learn its identity (`peer`).
    func clientContextStore(authorizer: PeerAuthorizer? = nil,
                            minimum: TLSConfiguration.ProtocolVersion = .tls12) throws -> TLSContextStore {
        try TLSContextStore(
            TLSConfiguration(certificateChainPath: client.certificate, privateKeyPath: client.privateKey,
                             trustRootsPath: authority.certificate,
                             peerVerification: authorizer.map { .required($0) } ?? .none, minimumProtocolVersion: minimum),
            side: .client)
    }
}
