import Certificates
import Locking
import Telemetry
import Transport

/// What a coordinator with `--signing-key` signs agent certificates with, shared by enrollment
/// and renewal: the issuer (the CA certificate and key, parsed once) and the CA bundle it shows
/// enrolling agents. Both are rebuilt from disk together on a SIGHUP reload (`reload`); a new key
/// that does not match the new `ca.pem` is refused and the current pair stays in use.
final class AgentSigning: Sendable {
    /// One consistent pair: the issuer and the bundle of the same reload.
    struct Current: Sendable {
        let issuer: AgentCertificateIssuer
        let authorityPEM: [UInt8]
        /// What a connection without a certificate is sent first (`EnrollmentAuthority`).
        let authorityFrame: [UInt8]
    }

    private let caPath: String
    private let keyPath: String
    private let lifetimeSeconds: Int64
    private let state: Locked<Current>

    init(caPath: String, keyPath: String, lifetimeSeconds: Int64) throws {
        self.caPath = caPath
        self.keyPath = keyPath
        self.lifetimeSeconds = lifetimeSeconds
        state = Locked(try Self.load(caPath: caPath, keyPath: keyPath, lifetimeSeconds: lifetimeSeconds))
    }

    var current: Current {
        state.withLock { $0 }
    }

    /// Loads the pair again; throws (keeping the current one) when it cannot.
    func prepareReload() throws -> Current {
        try Self.load(caPath: caPath, keyPath: keyPath, lifetimeSeconds: lifetimeSeconds)
    }

    /// Puts a pair `prepareReload` made in use.
    func install(_ next: Current) {
        state.withLock { $0 = next }
    }

    private static func load(caPath: String, keyPath: String, lifetimeSeconds: Int64) throws -> Current {
        let issuer = try AgentCertificateIssuer(certificatePath: caPath, keyPath: keyPath, lifetimeSeconds: lifetimeSeconds)
        let bundle = try CoordinatorTLS.readRoots(caPath)
        return Current(issuer: issuer, authorityPEM: bundle,
                       authorityFrame: EnrollmentCodec.encode(EnrollmentAuthority(authorityPEM: bundle)))
    }
}

/// The agent port's signing services of a coordinator with `--signing-key`, sharing one `AgentSigning`.
struct SigningServices: Sendable {
    let signing: AgentSigning
    let enrollment: AgentEnrollment
    let renewal: AgentCertificateRenewal
}
