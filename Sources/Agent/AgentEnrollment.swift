import Certificates
import FileSystem
import Glibc
import Observability
import Telemetry
import Transport

/// How an agent without a certificate enrolls (`--join-token`/`--join-token-file`, `--ca-hash`).
public struct EnrollmentSettings: Sendable {
    /// The join token's text, `ID.SECRET`: sent only to a coordinator proven to hold the pinned CA.
    public var token: [UInt8]
    /// The CA the coordinators must show.
    public var pin: CAPin

    public init(token: [UInt8], pin: CAPin) {
        self.token = token
        self.pin = pin
    }

    /// The settings of a token given as text (`--join-token`) or in a file (`--join-token-file`,
    /// read whole, at most `EnrollmentLimits.tokenBytesMaximum` bytes), white space around it taken
    /// away, and of the pin `caHash`.
    public init(token text: String?, tokenFile: String?, caHash: String) throws(AgentConfigurationError) {
        guard let pin = CAPin(text: caHash) else { throw .invalid("--ca-hash must be sha256: and 64 hexadecimal digits") }
        var raw: [UInt8]
        switch (text, tokenFile) {
        case let (text?, nil): raw = Array(text.utf8)
        case let (nil, path?):
            do {
                raw = try SecretFile.open(path).read(maximumBytes: EnrollmentLimits.tokenBytesMaximum)
            } catch {
                throw .invalid("--join-token-file: \(error)")
            }
        default: throw .invalid("give one of --join-token and --join-token-file")
        }
        let isSpace: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }
        while raw.last.map(isSpace) == true { raw.removeLast() }
        raw.removeFirst(raw.prefix(while: isSpace).count)
        guard !raw.isEmpty, raw.count <= EnrollmentLimits.tokenBytesMaximum else {
            throw .invalid("the join token must be 1 to \(EnrollmentLimits.tokenBytesMaximum) bytes")
        }
        self.init(token: raw, pin: pin)
    }
}

/// Why an enrollment did not give the agent a certificate.
public enum EnrollmentError: Error, Sendable, CustomStringConvertible {
    case pinMismatch(coordinator: String, shown: [String], pinned: String)
    case refused(coordinator: String, reason: String)
    case unreachable([String])
    case credentials(String)

    public var description: String {
        switch self {
        case let .pinMismatch(coordinator, shown, pinned):
            "coordinator \(coordinator) shows a CA of hash \(shown.joined(separator: ", ")), not the --ca-hash \(pinned); "
                + "the join token was not sent"
        case let .refused(coordinator, reason): "coordinator \(coordinator) refused the enrollment: \(reason)"
        case let .unreachable(failures): "no coordinator answered the enrollment: \(failures.joined(separator: "; "))"
        case let .credentials(reason): "cannot make or write the agent's credentials: \(reason)"
        }
    }
}

/// An agent's enrollment (Docs/CERTIFICATES.md, "Enrollment"): it makes its key and certificate
/// request, dials the coordinators in order, fetches each one's CA bundle on an unverified
/// connection and checks it against the pin, and only then, on a second connection whose server
/// is verified against that bundle as a coordinator, sends its token and request. The signed
/// certificate is checked in memory, then the bundle (unless a `ca.pem` is there already), the key
/// and the certificate go to `--tls-dir` (0700, created), the certificate last
/// (`AgentCredentials`), so its presence means the agent is enrolled.
public enum AgentEnrollment {
    /// Whether the agent has no certificate for its name yet, and so enrolls.
    public static func isNeeded(_ configuration: AgentConfiguration) -> Bool {
        access(configuration.certificatePath, F_OK) != 0 && errno == ENOENT
    }

    public static func enroll(_ configuration: AgentConfiguration, settings: EnrollmentSettings,
                              logger: Logger) throws(EnrollmentError) {
        let request: CertificateRequest
        let group: EventLoopGroup
        do {
            request = try CertificateRequest.make(name: configuration.name)
            group = try EventLoopGroup(loopCount: 1)
        } catch {
            throw .credentials("\(error)")
        }
        defer { group.shutdown() }
        let payload = EnrollmentCodec.encode(EnrollmentRequest(
            token: settings.token, nodeName: configuration.name, environment: configuration.environment,
            certificateRequestDER: request.der))
        var failures: [String] = []
        for coordinator in configuration.coordinators {
            let (outcome, bundle) = try exchange(payload, with: coordinator, pin: settings.pin, loop: group.loops[0])
            switch outcome {
            case let .failed(reason):
                logger.warning("enrollment: coordinator unreachable", ["coordinator": "\(coordinator)", "reason": reason])
                failures.append("\(coordinator): \(reason)")
            case let .answer(.refused(reason)):
                throw .refused(coordinator: "\(coordinator)", reason: reason)
            case let .answer(.issued(certificate, _)):
                try write(configuration, key: request.privateKeyPEM, certificate: certificate, authority: bundle)
                logger.info("enrolled", ["coordinator": "\(coordinator)", "certificate": configuration.certificatePath])
                return
            case .authority:
                failures.append("\(coordinator): no answer")
            }
        }
        throw .unreachable(failures)
    }

    /// The two connections with one coordinator: the outcome, and the CA bundle it showed and the pin matched.
    private static func exchange(_ payload: [UInt8], with coordinator: CoordinatorAddress, pin: CAPin,
                                 loop: EventLoop) throws(EnrollmentError) -> (EnrollmentConnection.Outcome, [UInt8]) {
        let unverified: TLSContext
        do {
            unverified = try TLSContext(TLSConfiguration(certificateChainPath: nil, privateKeyPath: nil, trustRootsPath: "(none)",
                                                         peerVerification: .unverifiedServer, minimumProtocolVersion: .tls13),
                                        side: .client)
        } catch {
            throw .credentials("\(error)")
        }
        let first = EnrollmentConnection.dial(coordinator, sending: nil, serverName: nil, context: unverified, loop: loop)
        guard case let .authority(bundle) = first else { return (first, []) }
        let shown: [CAPin]
        do {
            shown = try CAPin.pins(ofBundle: bundle)
        } catch {
            return (.failed("its CA bundle does not parse: \(error)"), [])
        }
        // Every certificate of the bundle must carry the pinned key: one more CA in it would be trusted
        // on the next connection (and written to ca.pem) though nobody pinned it.
        guard !shown.isEmpty, shown.allSatisfy({ $0 == pin }) else {
            throw .pinMismatch(coordinator: "\(coordinator)", shown: shown.map(\.description), pinned: pin.description)
        }
        var trusted = TLSConfiguration(certificateChainPath: nil, privateKeyPath: nil, trustRootsPath: "(pinned CA bundle)",
                                       peerVerification: .required(AgentTLS.coordinatorsOnly), minimumProtocolVersion: .tls13)
        trusted.trustRootsPEM = bundle
        let verified: TLSContext
        do {
            verified = try TLSContext(trusted, side: .client)
        } catch {
            return (.failed("its pinned CA bundle cannot be trusted: \(error)"), [])
        }
        let outcome = EnrollmentConnection.dial(coordinator, sending: payload, serverName: coordinator.serverName,
                                                    context: verified, loop: loop)
        return (outcome, bundle)
    }

    /// `ca.pem` (the pinned bundle) only when there is none (one an operator put there is kept), then the key and
    /// certificate (`AgentCredentials.install`), once the certificate checked out in memory against the `ca.pem` the
    /// agent will trust.
    private static func write(_ configuration: AgentConfiguration, key: [UInt8], certificate: [UInt8],
                              authority: [UInt8]) throws(EnrollmentError) {
        do {
            _ = try Directory.ensure(configuration.tlsDirectory, mode: 0o700, syncingParent: true)
            let present = try AgentCredentials.readAuthority(configuration)
            _ = try AgentCredentials.check(configuration, certificate: certificate, key: key, authorityPEM: present ?? authority)
            if present == nil { try AtomicWrite.replace(configuration.caPath, with: authority, mode: 0o644) }
            try AgentCredentials.install(configuration, key: key, certificate: certificate)
        } catch {
            throw .credentials("\(error)")
        }
    }
}
