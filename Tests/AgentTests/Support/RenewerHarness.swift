@testable import Agent
import Certificates
import FileSystem
import Observability
import Primitives
import Telemetry
import TestSupport
import Transport
import Wire

/// A stand-in for the welcomed connection: remembers what was sent on it.
final class RecordingRenewalLink: RenewalLink {
    var isResumed = false
    private(set) var sent: [Frame] = []

    func send(_ frame: Frame) throws(FrameSendError) {
        sent.append(frame)
    }

    var requestsSent: Int { sent.filter { $0.kind == FrameKind.certificateRenewalRequest.rawValue }.count }
}

/// Drives a `CertificateRenewer` on an embedded loop whose time the test moves, with a wall clock that
/// moves with it (starting a day before the agent's real certificate expires, so its renewal window is
/// open) and a jitter the test sets. The TLS directory holds a real CA and agent pair.
final class RenewerHarness {
    /// What the renewer asked of its session, and the jitter it is given.
    final class Record {
        var reconnects: [RenewalReconnect] = []
        var jitter = 1.0
    }

    let embedded = EmbeddedEventLoop()
    let directory = TemporaryDirectory()
    let link = RecordingRenewalLink()
    let record = Record()
    let configuration: AgentConfiguration
    let renewer: CertificateRenewer
    let capture: LogCapture
    /// The renewal window of the certificate on disk.
    let window: CertificateRenewalWindow

    init(configure: (inout AgentConfiguration) -> Void = { _ in }) throws {
        _ = try CertificateAuthority.initialize(directory: directory.path)
        let paths = try CertificateAuthority.issue(directory: directory.path, identity: NodeIdentity(role: .agent, name: "node-1"),
                                                   ipAddresses: [], dnsNames: [])
        var configuration = AgentConfiguration(name: "node-1", coordinators: [], tlsDirectory: directory.path,
                                               dataDirectory: directory.path)
        configure(&configuration)
        self.configuration = configuration
        let info = try CertificateInfo.load(path: paths.certificate)
        window = CertificateRenewalWindow(notBeforeSeconds: info.notBefore, notAfterSeconds: info.notAfter,
                                          backdatingSeconds: AgentCertificateIssuer.backdatingSeconds)
        let (sink, capture) = LogSink.capturing()
        self.capture = capture
        let embedded = embedded, record = record, link = link
        let started = embedded.now
        let wallStart = info.notAfter - 86_400
        let seams = RenewalSeams(wallClockSeconds: { wallStart + started.duration(until: embedded.now).components.seconds },
                                 jitter: { record.jitter })
        renewer = CertificateRenewer(loop: embedded.loop, configuration: configuration,
                                     contexts: try AgentTLS.makeContexts(configuration),
                                     logger: Logger(component: "renewer", minimumLevel: .debug, sink: sink), seams: seams,
                                     welcomedLink: { link }, reconnect: { record.reconnects.append($0) })
    }

    func advance(by duration: Duration) {
        embedded.advanceTime(by: duration)
    }

    /// Answers the pending request with `answer`.
    func answer(_ answer: EnrollmentAnswer) {
        renewer.received(EnrollmentCodec.encode(answer))
        embedded.run()
    }

    /// An issued certificate the agent cannot install: its own current one, which is not of the new key.
    func unusableCertificate() throws -> EnrollmentAnswer {
        let certificate = try FileReader.read(configuration.certificatePath, maximumBytes: 1 << 16)
        let authority = try FileReader.read(configuration.caPath, maximumBytes: 1 << 16)
        return .issued(certificatePEM: certificate, authorityPEM: authority)
    }
}
