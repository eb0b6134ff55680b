import COpenSSL

/// The identity a peer proved with its certificate, as the product's
/// authorizer read it (for HotSwap: the role and name in the SAN URI).
public struct AuthenticatedPeer: Sendable, Equatable, CustomStringConvertible {
    public let role: String
    public let name: String
    /// When the certificate became valid (its notBefore, Unix seconds), if the
    /// authorizer read it: a revocation is judged against it.
    public let notBeforeSeconds: Int64?
    /// When the certificate stops being valid (its notAfter, Unix seconds), if the
    /// authorizer read it: a connection can outlive its certificate.
    public let notAfterSeconds: Int64?
    /// Which trust roots verified the certificate, as the product numbers them (0 if it does
    /// not): a server whose CA is reloaded can refuse a connection verified under an older one.
    public let trustGeneration: UInt64

    public init(role: String, name: String, notBeforeSeconds: Int64? = nil, notAfterSeconds: Int64? = nil,
                trustGeneration: UInt64 = 0) {
        self.role = role
        self.name = name
        self.notBeforeSeconds = notBeforeSeconds
        self.notAfterSeconds = notAfterSeconds
        self.trustGeneration = trustGeneration
    }

    public var description: String { "\(role)/\(name)" }
}

/// Decides whether a CA-verified peer certificate may connect, and who it is.
/// Runs inside the handshake, so a refusal is a TLS alert, not a later close.
/// The argument is OpenSSL's `X509 *`, borrowed for the call.
public typealias PeerAuthorizer = @Sendable (_ certificate: OpaquePointer) -> Result<AuthenticatedPeer, PeerRejection>

/// Why a peer certificate was refused.
public struct PeerRejection: Error, Sendable, CustomStringConvertible {
    public let reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { reason }
}

/// What a TLS endpoint presents and what it demands of the other side.
public struct TLSConfiguration: Sendable {
    /// Whether the other side must present a certificate from our CA.
    public enum PeerVerification: Sendable {
        /// Server-auth only (the HTTPS API): no client certificate is asked for.
        case none
        /// Mutual TLS: a certificate signed by `trustRootsPath` is required and
        /// must pass the authorizer.
        case required(PeerAuthorizer)
        /// Server side only (the HTTPS API): a certificate is asked for but not
        /// required. One that is presented must chain to `trustRootsPath` and
        /// pass the authorizer, else the handshake fails; a client that presents
        /// none connects with no identity. Such a server resumes no sessions
        /// (`TLSContext.applySessionPolicy`), so every identity is from a full
        /// handshake.
        case requested(PeerAuthorizer)
        /// Client side only: the server's certificate is not checked at all, and no trust roots
        /// are loaded. Only for an enrolling agent fetching the CA bundle it then checks against
        /// its pinned hash before it trusts it; nothing secret is ever sent on such a connection.
        case unverifiedServer

        var requiresCertificate: Bool {
            if case .required = self { return true }
            return false
        }

        var authorizer: PeerAuthorizer? {
            switch self {
            case .none, .unverifiedServer: nil
            case let .required(authorize), let .requested(authorize): authorize
            }
        }
    }

    /// The oldest protocol version the endpoint speaks. The internal ports
    /// (peer and agent, and the clients that dial them) take TLS 1.3 only;
    /// the API keeps TLS 1.2 for clients that have nothing newer.
    public enum ProtocolVersion: Sendable {
        case tls12, tls13

        var openSSLVersion: Int32 {
            switch self {
            case .tls12: TLS1_2_VERSION
            case .tls13: TLS1_3_VERSION
            }
        }
    }

    /// Nil for a client that presents no certificate (the CLI on the API port).
    public var certificateChainPath: String?
    public var privateKeyPath: String?
    /// The key itself, as the caller read it from `privateKeyPath` (which then only names it):
    /// a caller that checked the file's mode on the descriptor it read loads those bytes, not
    /// whatever the path names by the time the context is built.
    public var privateKeyPEM: [UInt8]?
    /// The certificate chain itself, as the caller read it from `certificateChainPath` (which
    /// then only names it): a caller that must not open the path blocking (a FIFO would hang
    /// it) reads it its own way. Nil: OpenSSL reads the path.
    public var certificateChainPEM: [UInt8]?
    public var trustRootsPath: String
    /// The trust roots themselves, read from `trustRootsPath` as `certificateChainPEM` is.
    /// Only a client context loads them from here; a server reads its path (it also names the
    /// CAs in its certificate request, and reloads it).
    public var trustRootsPEM: [UInt8]?
    public var peerVerification: PeerVerification
    public var minimumProtocolVersion: ProtocolVersion
    /// Server side only: issue and accept stateless session tickets. Nil (the
    /// API and peer ports) issues no tickets at all.
    public var sessionTickets: SessionTickets?

    public init(certificateChainPath: String?, privateKeyPath: String?, trustRootsPath: String,
                peerVerification: PeerVerification, minimumProtocolVersion: ProtocolVersion = .tls12,
                sessionTickets: SessionTickets? = nil) {
        self.certificateChainPath = certificateChainPath
        self.privateKeyPath = privateKeyPath
        self.trustRootsPath = trustRootsPath
        self.peerVerification = peerVerification
        self.minimumProtocolVersion = minimumProtocolVersion
        self.sessionTickets = sessionTickets
    }

    /// Mozilla "intermediate" TLS 1.2 suites; TLS 1.3 uses OpenSSL's defaults.
    static let tls12CipherList = [
        "ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-RSA-AES128-GCM-SHA256",
        "ECDHE-ECDSA-AES256-GCM-SHA384", "ECDHE-RSA-AES256-GCM-SHA384",
        "ECDHE-ECDSA-CHACHA20-POLY1305", "ECDHE-RSA-CHACHA20-POLY1305",
        "DHE-RSA-AES128-GCM-SHA256", "DHE-RSA-AES256-GCM-SHA384", "DHE-RSA-CHACHA20-POLY1305",
    ].joined(separator: ":")

    static let groupList = "X25519:prime256v1:secp384r1"
    static let verifyDepthMaximum: Int32 = 2
}
