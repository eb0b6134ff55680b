import Certificates
import Observability
import Primitives
import Telemetry
import Transport

/// Certificate renewal on the agent port (Docs/CERTIFICATES.md, "Renewal"): a welcomed agent
/// session (mutual TLS, its hello accepted) sends a certificate request for a new key, no token.
/// The certificate is for the name of the certificate the session presented, never one the request
/// could carry; it is refused when that name was revoked at or after the certificate's notBefore,
/// when the fleet does not hold the node, when the presented certificate is not inside its renewal
/// window (`CertificateRenewalWindow`, so a stolen certificate mints nothing earlier than its owner
/// would), when another CA than the one that signs now signed it (across a CA rotation an agent
/// enrolls again), and on a resumed TLS session: only a full handshake proves the agent holds the
/// certificate's key (a ticket copied from a data directory would otherwise become a fresh
/// certificate). One request per connection (`AgentSessionHandler`). Not a replicated write: it
/// changes no fleet state; it is logged and counted.
final class AgentCertificateRenewal: Sendable {
    private let signing: AgentSigning
    private let raft: any GatewayRaft
    private let revocations: AgentRevocations
    private let logger: Logger
    private let issued: Counter
    private let refused: Counter

    init(signing: AgentSigning, raft: any GatewayRaft, revocations: AgentRevocations, logger: Logger, metrics: MetricsRegistry) {
        self.signing = signing
        self.raft = raft
        self.revocations = revocations
        self.logger = logger
        let help = "Agent certificate renewals on the agent port, by outcome (since start)."
        issued = metrics.counter("hotswap_certificate_renewals_total", help: help, labels: [("outcome", "issued")])
        refused = metrics.counter("hotswap_certificate_renewals_total", help: help, labels: [("outcome", "refused")])
    }

    /// The answer to `payload` (an encoded `CertificateRenewalRequest`) from the session of `peer`.
    /// `resumed`: the session's TLS handshake resumed a ticket instead of proving the key.
    /// `presentedCertificate`: the certificate (DER) the session's handshake verified, read from the
    /// connection only once the cheaper checks passed (handshakes keep no copy of it).
    func renew(_ payload: [UInt8], peer: AuthenticatedPeer, resumed: Bool, presentedCertificate: () -> [UInt8]?, source: String?,
               nowUnixSeconds: Int64 = Int64(WallClock.nowMilliseconds() / 1_000)) -> EnrollmentAnswer {
        let node = peer.name
        let request: CertificateRenewalRequest
        do {
            request = try CertificateRenewalCodec.decodeRequest(payload)
        } catch {
            return refuse("a malformed renewal request: \(error)", node: node, source: source)
        }
        if resumed {
            return refuse("a resumed TLS session proves no key: reconnect with a full handshake", node: node, source: source)
        }
        guard let notBefore = peer.notBeforeSeconds, let notAfter = peer.notAfterSeconds else {
            return refuse("the session's certificate has no readable validity", node: node, source: source)
        }
        // As the handshake judges it: a revocation before this certificate's notBefore (revoke, then
        // reissue: the runbook's recovery) does not block it; one at or after it does.
        if revocations.denial(of: node, notBeforeSeconds: notBefore) != nil {
            return refuse("the node is revoked", node: node, source: source)
        }
        guard raft.view.nodes[node] != nil else {
            return refuse("the fleet does not hold the node", node: node, source: source)
        }
        let window = CertificateRenewalWindow(notBeforeSeconds: notBefore, notAfterSeconds: notAfter,
                                              backdatingSeconds: AgentCertificateIssuer.backdatingSeconds)
        guard window.isOpen(atSeconds: nowUnixSeconds) else {
            return refuse("the certificate's renewal window is \(window.opensAtSeconds) to \(notAfter) (Unix seconds), "
                          + "not now (\(nowUnixSeconds))", node: node, source: source)
        }
        let current = signing.current
        // Across a CA rotation an agent enrolls again: a certificate of the old CA renewed by the new
        // one would need the new CA in the agent's ca.pem, which renewal does not change.
        guard let der = presentedCertificate(), current.issuer.hasSigned(certificateDER: der) else {
            return refuse("the session's certificate was not signed by the CA this coordinator signs with",
                          node: node, source: source)
        }
        do {
            let certificate = try current.issuer.issue(requestDER: request.certificateRequestDER, name: node,
                                                       nowUnixSeconds: nowUnixSeconds)
            issued.increment()
            logger.info("agent certificate renewed", [
                "node": node, "previousNotAfter": "\(notAfter)",
                "notAfter": "\(nowUnixSeconds + current.issuer.lifetimeSeconds)", "source": source ?? "-"])
            return .issued(certificatePEM: certificate, authorityPEM: current.authorityPEM)
        } catch {
            return refuse("\(error)", node: node, source: source)
        }
    }

    private func refuse(_ reason: String, node: String, source: String?) -> EnrollmentAnswer {
        refused.increment()
        logger.warning("certificate renewal refused", ["reason": reason, "node": node, "source": source ?? "-"])
        return .refused("renewal refused: \(reason)")
    }
}
