import Locking
import Observability
import Primitives

/// An endpoint's bound on connections that finished their handshake without a client certificate
/// (possible only where the context requests one optionally: the agent port while it enrolls). Each
/// is counted in (`SourceQuota`) before it takes an established slot and out when it closes; one
/// over a bound is closed at once, counted by reason, and logged within a per-second budget. The
/// endpoint's established bound is raised by `limits.totalMaximum`, so such connections never
/// take a slot meant for peers that authenticate.
final class CertificateLessConnections: Sendable {
    private struct State {
        var quota: SourceQuota
        /// The source each counted connection was counted under, by connection id.
        var held: [UInt64: String] = [:]
    }

    let limits: SourceQuota.Limits
    private let endpoint: String
    private let state: Locked<State>
    private let refusedSourceFull: Counter
    private let refusedTotalFull: Counter
    private let logBudget = LogBudget(linesPerSecondMaximum: 5)
    private let logger: Logger

    init(limits: SourceQuota.Limits, endpoint: String, logger: Logger, metrics: MetricsRegistry) {
        self.limits = limits
        self.endpoint = endpoint
        self.logger = logger
        state = Locked(State(quota: SourceQuota(limits: limits)))
        let help = "Connections without a client certificate closed at once because their source's, or the endpoint's, "
            + "bound on such connections was reached (since start)."
        refusedSourceFull = metrics.counter("hotswap_transport_certificate_less_refused_total", help: help,
                                            labels: [("endpoint", endpoint), ("bound", "source")])
        refusedTotalFull = metrics.counter("hotswap_transport_certificate_less_refused_total", help: help,
                                           labels: [("endpoint", endpoint), ("bound", "total")])
        metrics.gaugeFunction("hotswap_transport_certificate_less_connections", help: "Open connections without a client certificate.",
                              labels: [("endpoint", endpoint)]) { [state] in Double(state.withLock { $0.quota.count }) }
    }

    /// Counts connection `id` from `remote` in; nil when admitted, else why it must be closed now.
    func admit(id: UInt64, remote: SocketAddress?) -> String? {
        let source = ConnectionSource.key(host: remote?.host ?? "")
        let decision = state.withLock { state in
            let decision = state.quota.admit(source: source)
            if decision == .admitted { state.held[id] = source }
            return decision
        }
        let reason: String
        switch decision {
        case .admitted: return nil
        case .refusedSourceFull:
            refusedSourceFull.increment()
            reason = "its source holds \(limits.perSourceMaximum) connections without a certificate"
        case .refusedTotalFull:
            refusedTotalFull.increment()
            reason = "\(limits.totalMaximum) connections without a certificate are open"
        }
        if let suppressed = logBudget.take() {
            logger.warning("connection without a certificate refused", ["endpoint": endpoint, "source": source,
                                                                       "reason": reason, "suppressed": "\(suppressed)"])
        }
        return reason
    }

    /// Counts connection `id` out if it was counted in; any closed connection may be passed.
    func release(id: UInt64) {
        state.withLock { state in
            guard let source = state.held.removeValue(forKey: id) else { return }
            state.quota.release(source: source)
        }
    }
}
