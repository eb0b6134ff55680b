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
    /// An answer is due within this after the request was sent; without one the connection is replaced,
    /// so a late answer cannot be taken for the next request's.
    public var answerTimeout: Duration = .seconds(30)
    /// After the first issued certificate the agent could not install (checked, written), the next
    /// attempt waits this long (jittered down to half), doubling per further failure up to
    /// `failureRetryDelayMaximum`, on a new connection: a local fault mints few certificates.
    public var failureRetryDelay: Duration = .seconds(60)
    public var failureRetryDelayMaximum: Duration = .seconds(3_600)
    /// The longest wait between two looks at the certificate, so a changed clock or a certificate
    /// replaced by hand (and reloaded on SIGHUP) is noticed.
    public var checkIntervalMaximum: Duration = .seconds(3_600)

    public init() {}
}

/// The connection a renewal request goes out on: the welcomed `FrameLink` in an agent, a stand-in in tests.
protocol RenewalLink: AnyObject {
    /// Whether the connection resumed a TLS session (the coordinator refuses to renew on those).
    var isResumed: Bool { get }
    func send(_ frame: Frame) throws(FrameSendError)
}

extension FrameLink: RenewalLink {}

/// What the renewer reads besides its loop's clock: the wall clock the certificate's dates are judged
/// by and the jitter of its waits; the system's in an agent, fixed ones in tests.
struct RenewalSeams {
    var wallClockSeconds: () -> Int64 = { Int64(time(nil)) }
    /// A number from 0 up to 1.
    var jitter: () -> Double = { Double.random(in: 0...1) }
}

/// Renews the agent's certificate before it expires, as kubelet rotates its own: once the
/// certificate on disk is in its renewal window (`CertificateRenewalWindow`), it makes a new key
/// and certificate request and sends the request on the welcomed connection; the answer's
/// certificate is checked in memory and written with its key (`AgentCredentials`), the TLS
/// credentials are rebuilt and the session reconnects with them (`reconnect`). The first request
/// of a certificate waits for a random point in the first half of its window. One request at a
/// time, only on a full-handshake connection; every wait bounded by `RenewalSettings`; an issued
/// certificate that cannot be installed backs off exponentially. Confined to the session's loop.
final class CertificateRenewer {
    private let loop: EventLoop
    private let configuration: AgentConfiguration
    private let contexts: TLSContextStore
    private let logger: Logger
    private let settings: RenewalSettings
    private let seams: RenewalSeams
    /// The welcomed link to send on, if any.
    private let welcomedLink: () -> (any RenewalLink)?
    /// Drops the held TLS ticket and reconnects with a full handshake, for the reason given: after
    /// the credentials changed, before asking on a resumed session (the coordinator refuses those:
    /// they prove no key), after an overdue answer or an issued certificate not installed.
    private let reconnect: (RenewalReconnect) -> Void
    /// The new key of the request sent, while its answer is awaited.
    private var pendingKey: [UInt8]?
    /// The notAfter of the certificate last looked at.
    private var notAfterSeconds: Int64?
    /// When to first ask for the certificate with `notAfterSeconds` (jittered in its window).
    private var startSeconds: Int64?
    /// Issued certificates in a row that could not be installed.
    private var localFailures = 0
    private var timer: TimerID?
    private var isStopped = true

    init(loop: EventLoop, configuration: AgentConfiguration, contexts: TLSContextStore, logger: Logger,
         seams: RenewalSeams = RenewalSeams(), welcomedLink: @escaping () -> (any RenewalLink)?,
         reconnect: @escaping (RenewalReconnect) -> Void) {
        self.loop = loop
        self.configuration = configuration
        self.contexts = contexts
        self.logger = logger
        settings = configuration.renewal
        self.seams = seams
        self.welcomedLink = welcomedLink
        self.reconnect = reconnect
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

    /// The welcomed connection closed: an answer awaited on it will not come.
    func linkLost() {
        guard pendingKey != nil else { return }
        pendingKey = nil
        retry(because: "the connection closed before the answer")
    }

    /// The payload of a `certificateRenewalAnswer` frame from the welcomed connection.
    func received(_ payload: [UInt8]) {
        guard let key = pendingKey else {
            return logger.warning("certificate renewal: an answer no request is waiting for; ignored")
        }
        pendingKey = nil
        switch Result(catching: { () throws(BinaryDecodingError) in try EnrollmentCodec.decodeAnswer(payload) }) {
        case let .failure(error):
            failedLocally(because: "a malformed answer: \(error)")
        case let .success(.refused(reason)):
            let left = Duration.seconds(max(0, (notAfterSeconds ?? 0) - seams.wallClockSeconds()))
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
                return failedLocally(because: "\(configuration.caPath) is missing")
            }
            info = try AgentCredentials.check(configuration, certificate: certificate, key: key, authorityPEM: authority,
                                             nowUnixSeconds: seams.wallClockSeconds())
            if let unsynced = try AgentCredentials.install(configuration, key: key, certificate: certificate) {
                logger.error("certificate renewal: the new pair is in place but the directory sync failed", ["error": "\(unsynced)"])
            }
        } catch {
            return failedLocally(because: "the issued certificate was not installed: \(error)")
        }
        localFailures = 0
        do {
            try contexts.reload()
        } catch {
            logger.error("certificate renewed on disk but the TLS credentials could not be rebuilt; retrying",
                         ["error": "\(error)"])
            return arm(after: settings.retryDelay) { [weak self] in self?.reloadAgain() }
        }
        logger.info("certificate renewed", ["certificate": configuration.certificatePath, "notAfter": "\(info.notAfter)"])
        reconnect(.certificateRenewed)
        scheduleCheck()
    }

    private func reloadAgain() {
        do {
            try contexts.reload()
            reconnect(.certificateRenewed)
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
        let window = CertificateRenewalWindow(notBeforeSeconds: info.notBefore, notAfterSeconds: info.notAfter,
                                              backdatingSeconds: AgentCertificateIssuer.backdatingSeconds)
        if notAfterSeconds != info.notAfter || startSeconds == nil {
            startSeconds = window.startSeconds(jitter: seams.jitter())
        }
        notAfterSeconds = info.notAfter
        let now = seams.wallClockSeconds()
        let start = startSeconds ?? window.opensAtSeconds
        guard window.isOpen(atSeconds: now), now >= start else {
            let wait = start > now ? Duration.seconds(start - now) : settings.checkIntervalMaximum
            return arm(after: min(wait, settings.checkIntervalMaximum)) { [weak self] in self?.scheduleCheck() }
        }
        request()
    }

    private func request() {
        guard let link = welcomedLink() else { return retry(because: "no welcomed connection to ask on") }
        if link.isResumed {
            reconnect(.sessionResumed)
            return retry(because: "the connection resumed a TLS session: reconnecting with a full handshake first")
        }
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
            reconnect(.answerOverdue)
            retry(because: "no answer within \(settings.answerTimeout); reconnecting")
        }
    }

    /// An issued certificate could not be installed: waits longer each time, then asks on a new
    /// connection (the coordinator answers one issued certificate per connection).
    private func failedLocally(because reason: String) {
        localFailures += 1
        let seconds = CertificateRenewalWindow.failureDelaySeconds(
            failures: localFailures, firstSeconds: settings.failureRetryDelay.components.seconds,
            maximumSeconds: settings.failureRetryDelayMaximum.components.seconds, jitter: seams.jitter())
        reconnect(.installFailed)
        retry(because: reason, after: .seconds(seconds))
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
