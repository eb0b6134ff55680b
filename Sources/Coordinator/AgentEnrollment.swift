import Access
import Certificates
import Cluster
import Fleet
import Observability
import Telemetry
import Transport

/// Enrollment on the agent port (Docs/CERTIFICATES.md, "Enrollment"), served when the coordinator
/// holds the CA's key (`--signing-key`). A connection without a client certificate sends one
/// `EnrollmentRequest`: its name must be valid and not revoked and its certificate request must
/// verify before the token is used; the use is a replicated write (forwarded to the leader as
/// writes are) that commits before anything is signed; the certificate is for the requested name
/// only. Every refusal is the same answer (`refusal`), its reason logged here, and counted.
final class AgentEnrollment: Sendable {
    /// The one answer to every refused enrollment: it does not say which check failed.
    static let refusal = "join_token_refused: the join token is not valid here, or this node may not enroll"

    private let signing: AgentSigning
    /// What a connection without a certificate is sent first: the CA bundle (`EnrollmentAuthority`).
    var authorityFrame: [UInt8] { signing.current.authorityFrame }
    /// How long a connection without a certificate may last, from its handshake to the answer.
    let connectionLifetime: Duration
    private let raft: any GatewayRaft
    private let revocations: AgentRevocations
    private let logger: Logger
    private let issued: Counter
    private let refused: Counter
    private let framesRefused: Counter

    init(signing: AgentSigning, connectionLifetime: Duration, raft: any GatewayRaft, revocations: AgentRevocations,
         logger: Logger, metrics: MetricsRegistry) {
        self.signing = signing
        self.connectionLifetime = connectionLifetime
        self.raft = raft
        self.revocations = revocations
        self.logger = logger
        let help = "Enrollments on the agent port, by outcome (since start)."
        issued = metrics.counter("hotswap_enrollments_total", help: help, labels: [("outcome", "issued")])
        refused = metrics.counter("hotswap_enrollments_total", help: help, labels: [("outcome", "refused")])
        framesRefused = metrics.counter(
            "hotswap_enrollment_frames_refused_total",
            help: "Connections without a client certificate closed for a frame other than one enrollment request (since start).")
    }

    /// Counts a connection without a certificate closed for what it sent.
    func noteFrameRefused() {
        framesRefused.increment()
    }

    /// Decides `payload` (an encoded `EnrollmentRequest`) and calls `answer` once, on `loop` (the connection's) once the
    /// token's use is decided, so the signing is not done on the Raft loop; a refusal before that, on the caller's thread.
    func enroll(_ payload: [UInt8], source: String?, loop: EventLoop, answer: @escaping @Sendable (EnrollmentAnswer) -> Void) {
        let request: EnrollmentRequest
        do {
            request = try EnrollmentCodec.decodeRequest(payload)
        } catch {
            return answer(refuse("a malformed enrollment request: \(error)", node: nil, source: source))
        }
        let node = request.nodeName
        guard NodeIdentity.isValidName(node) else { return answer(refuse("an invalid node name", node: nil, source: source)) }
        if revocations.denial(of: node, notBeforeSeconds: nil) != nil {
            return answer(refuse("the name is revoked", node: node, source: source))
        }
        do {
            try AgentCertificateIssuer.check(requestDER: request.certificateRequestDER)
        } catch {
            return answer(refuse("\(error)", node: node, source: source))
        }
        guard let token = JoinTokenText(parsing: String(decoding: request.token, as: UTF8.self)),
              let secretHash = SecretFingerprint.sha256(token.secret) else {
            return answer(refuse("a malformed join token", node: node, source: source))
        }
        let now = WallClock.nowMilliseconds()
        // Judged first against this coordinator's copy, so a guessed or stale token costs no Raft entry
        // and no audit record: only a use that would commit now is proposed (the apply judges it again).
        let view = raft.view
        guard let record = view.joinTokens[token.id],
              record.admitsUse(secretHash: secretHash, environment: request.environment, atMilliseconds: now) else {
            return answer(refuse("the token is unknown, wrong, expired, used up or for another environment", node: node, source: source))
        }
        guard view.nodes[node] == nil else {
            return answer(refuse("the fleet already holds the name: remove the node before it enrolls again", node: node, source: source))
        }
        // The use binds the node to the environment it named (FleetState+EnrolledEnvironments.swift): its hellos
        // must report that one. A version-13 entry: below cluster version 13 the leader refuses it, and the agent retries.
        let use = FleetCommand.enrollNode(id: token.id, secretHash: secretHash, node: node,
                                          environment: request.environment, atMilliseconds: now)
        let context = AuditContext(user: "agent/\(node)", role: nil, source: source, atMilliseconds: now)
        raft.submit(.audited(context, .write(FleetCodec.encode(use)))) { [self] outcome in
            loop.execute { [self] in answer(sign(outcome, request: request, source: source)) }
        }
    }

    /// The certificate once the token's use committed; a refusal otherwise.
    private func sign(_ outcome: ClusterOutcome, request: EnrollmentRequest, source: String?) -> EnrollmentAnswer {
        let node = request.nodeName
        guard case let .applied(.joinTokenUsed(id, _, usesRemaining)) = outcome else {
            return refuse("the token's use did not commit: \(outcome)", node: node, source: source)
        }
        let current = signing.current
        do {
            let certificate = try current.issuer.issue(requestDER: request.certificateRequestDER, name: node,
                                               nowUnixSeconds: Int64(WallClock.nowMilliseconds() / 1_000))
            issued.increment()
            logger.info("agent enrolled", ["node": node, "environment": request.environment, "token": id,
                                           "usesRemaining": "\(usesRemaining)", "source": source ?? "-"])
            return .issued(certificatePEM: certificate, authorityPEM: current.authorityPEM)
        } catch {
            return refuse("signing failed after the token was used: \(error)", node: node, source: source)
        }
    }

    private func refuse(_ reason: String, node: String?, source: String?) -> EnrollmentAnswer {
        refused.increment()
        logger.warning("enrollment refused", ["reason": reason, "node": node ?? "-", "source": source ?? "-"])
        return .refused(Self.refusal)
    }
}
