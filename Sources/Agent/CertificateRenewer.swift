import Certificates
import Glibc
import Observability
import Primitives
import Telemetry
import Transport
import Wire

/// How the agent renews its certificate (Docs/CERTIFICATES.md, "Renewal"); no flags.
public struct RenewalSettings: Sendable {
    /// After a lost answer or without a welcomed connection, the next attempt waits this long.
    public var retryDelay: Duration = .seconds(10)
    /// After a refusal, the next attempt waits a quarter of the time the certificate has left, from
    /// `retryDelay` up to this.
    public var refusalRetryDelayMaximum: Duration = .seconds(300)
    /// An answer is due within this after the request was sent.
    public var answerTimeout: Duration = .seconds(30)
    /// The longest wait between two looks at the certificate, so a changed clock or a certificate
    /// replaced by hand (and reloaded on SIGHUP) is noticed.
    public var checkIntervalMaximum: Duration = .seconds(3_600)

    public init() {}
}

/// Renews the agent's certificate before it expires, as kubelet rotates its own: once the
/// certificate on disk is in its renewal window (`CertificateRenewalWindow`), it makes a new key
/// and certificate request and sends the request on the welcomed connection; the answer's
/// certificate is checked in memory and written with its key (`AgentCredentials`), the TLS
/// credentials are rebuilt and the session reconnects with them (`renewed`). One request at a
/// time; every wait bounded by `RenewalSettings`. Confined to the session's loop.
final class CertificateRenewer {
    private let loop: EventLoop
    private let configuration: AgentConfiguration
    private let contexts: TLSContextStore
    private let logger: Logger
    private let settings: RenewalSettings
    /// The welcomed link to send on, if any.
    private let welcomedLink: () -> FrameLink?
    /// The credentials changed: reconnect with them.
    private let renewed: () -> Void
    /// The new key of the request sent, while its answer is awaited.
    private var pendingKey: [UInt8]?
    /// The notAfter of the certificate last looked at.
    private var notAfterSeconds: Int64?
    private var timer: TimerID?
    private var isStopped = true

    init(loop: EventLoop, configuration: AgentConfiguration, contexts: TLSContextStore, logger: Logger,
         welcomedLink: @escaping () -> FrameLink?, renewed: @escaping () -> Void) {
        self.loop = loop
        self.configuration = configuration
        self.contexts = contexts
        self.logger = logger
        settings = configuration.renewal
        self.welcomedLink = welcomedLink
        self.renewed = renewed
    }

    func start() {
        isStopped = false
        scheduleCheck()
    }

    func stop() {
        isStopped = true
        pendingKey = nil
        if let timer { loop.cancelTimer(timer) }
        timer = nil
    }

    /// The payload of a `certificateRenewalAnswer` frame from the welcomed connection.
    func received(_ payload: [UInt8]) {
        guard let key = pendingKey else {
            return logger.warning("certificate renewal: an answer no request is waiting for; ignored")
        }
        pendingKey = nil
        switch Result(catching: { () throws(BinaryDecodingError) in try EnrollmentCodec.decodeAnswer(payload) }) {
        case let .failure(error):
            retry(because: "a malformed answer: \(error)")
        case let .success(.refused(reason)):
            let left = Duration.seconds(max(0, (notAfterSeconds ?? 0) - Int64(time(nil))))
            retry(because: "the coordinator refused: \(reason)",
                  after: max(settings.retryDelay, min(settings.refusalRetryDelayMaximum, left / 4)))
        case let .success(.issued(certificate, _)):
            install(certificate, key: key)
        }
    }

    private func install(_ certificate: [UInt8], key: [UInt8]) {
        let info: CertificateInfo
        do {
            guard let authority = try AgentCredentials.readAuthority(configuration) else {
                return retry(because: "\(configuration.caPath) is missing")
            }
            info = try AgentCredentials.check(configuration, certificate: certificate, key: key, authorityPEM: authority)
            try AgentCredentials.install(configuration, key: key, certificate: certificate)
        } catch {
            return retry(because: "the issued certificate was not installed: \(error)")
        }
        do {
            try contexts.reload()
        } catch {
            logger.error("certificate renewed on disk but the TLS credentials could not be rebuilt; retrying",
                         ["error": "\(error)"])
            return arm(after: settings.retryDelay) { [weak self] in self?.reloadAgain() }
        }
        logger.info("certificate renewed", ["certificate": configuration.certificatePath, "notAfter": "\(info.notAfter)"])
        renewed()
        scheduleCheck()
    }

    private func reloadAgain() {
        do {
            try contexts.reload()
            renewed()
            scheduleCheck()
        } catch {
            logger.error("the TLS credentials still cannot be rebuilt", ["error": "\(error)"])
            arm(after: settings.retryDelay) { [weak self] in self?.reloadAgain() }
        }
    }

    /// Looks at the certificate on disk: asks for a new one when its window is open, waits otherwise.
    private func scheduleCheck() {
        guard !isStopped else { return }
        let info: CertificateInfo
        do {
            info = try CertificateInfo.load(path: configuration.certificatePath)
        } catch {
            logger.error("certificate renewal: cannot read the certificate", ["error": "\(error)"])
            return arm(after: settings.retryDelay) { [weak self] in self?.scheduleCheck() }
        }
        notAfterSeconds = info.notAfter
        let window = CertificateRenewalWindow(notBeforeSeconds: info.notBefore, notAfterSeconds: info.notAfter,
                                              backdatingSeconds: AgentCertificateIssuer.backdatingSeconds)
        let now = Int64(time(nil))
        guard window.isOpen(atSeconds: now) else {
            let wait = window.opensAtSeconds > now ? Duration.seconds(window.opensAtSeconds - now) : settings.checkIntervalMaximum
            return arm(after: min(wait, settings.checkIntervalMaximum)) { [weak self] in self?.scheduleCheck() }
        }
        request()
    }

    private func request() {
        guard let link = welcomedLink() else { return retry(because: "no welcomed connection to ask on") }
        let made: CertificateRequest
        do {
            made = try CertificateRequest.make(name: configuration.name)
        } catch {
            return retry(because: "cannot make a key and request: \(error)")
        }
        let payload = CertificateRenewalCodec.encode(CertificateRenewalRequest(certificateRequestDER: made.der))
        do {
            try link.send(Frame(kind: FrameKind.certificateRenewalRequest.rawValue, payload: payload))
        } catch {
            return retry(because: "the request cannot be sent: \(error)")
        }
        pendingKey = made.privateKeyPEM
        logger.info("certificate renewal requested", ["certificate": configuration.certificatePath])
        arm(after: settings.answerTimeout) { [weak self] in
            guard let self, pendingKey != nil else { return }
            pendingKey = nil
            retry(because: "no answer within \(settings.answerTimeout)")
        }
    }

    private func retry(because reason: String, after delay: Duration? = nil) {
        let delay = delay ?? settings.retryDelay
        logger.warning("certificate renewal: trying again later", ["reason": reason, "retryDelay": "\(delay)"])
        arm(after: delay) { [weak self] in self?.scheduleCheck() }
    }

    private func arm(after delay: Duration, _ action: @escaping () -> Void) {
        guard !isStopped else { return }
        if let timer { loop.cancelTimer(timer) }
        timer = loop.scheduleTimer(after: delay) { [weak self] in
            self?.timer = nil
            action()
        }
    }
}
