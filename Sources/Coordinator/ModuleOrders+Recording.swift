import Cluster
import Fleet
import Gateway
import HostInstall
import Observability
import Telemetry
import Transport

extension ModuleOrders {
    /// An order ended: counted and logged; a definitive answer is recorded in the node's
    /// `moduleVersions` (the active version, or none), through Raft as `putNode`, audited in the
    /// name of who asked at the time of the answer. The record written is the newest this leader
    /// knows of the node (what its hello stated, else the fleet's) with that one entry changed, so a
    /// hello's inventory write in flight is not undone. Nothing is written when the node is no
    /// longer in the fleet, or when the record already says so and no API caller asked (whose write
    /// is the audit record). `done` hears whether the fleet's record holds the answer, once known.
    func ended(_ finished: ModuleOrderBook.Finished, audit: AuditContext?, done: @escaping @Sendable (Bool) -> Void) {
        let request = finished.request
        let (node, module, operation) = (request.node, request.module, "\(request.operation)")
        switch finished.ending {
        case .forgotten:
            counters.ended("forgotten")
            logger.warning("module order forgotten: this coordinator no longer leads in its term; the node may still carry it out",
                           ["node": node, "module": module, "operation": operation, "user": audit?.user ?? ""])
            done(false)
        case let .abandoned(reason, _):
            counters.ended("abandoned")
            logger.warning("module order abandoned", ["node": node, "module": module, "operation": operation,
                                                      "attempts": "\(finished.attempts)", "reason": reason])
            done(false)
        case let .answered(result):
            logger.info("module order answered", ["node": node, "module": module, "operation": operation,
                                                  "outcome": "\(result.outcome)", "active": result.active?.version ?? "none",
                                                  "reason": result.reason ?? ""])
            record(result, of: request, audit: audit, done: done)
        }
    }

    private func record(_ result: InstallResult, of request: ModuleOrderBook.Request, audit: AuditContext?,
                        done: @escaping @Sendable (Bool) -> Void) {
        guard gateway.raft.view.nodes[request.node] != nil, let base = gateway.newestRecord(of: request.node) else {
            logger.info("module order's node is not in the fleet; its result is not recorded", ["node": request.node])
            return done(false)
        }
        var record = base
        record.moduleVersions[request.module] = result.active?.version
        // An order the API placed leaves an audit record of its answer even when the versions stay.
        guard record != base || audit != nil else { return done(true) }
        if let invalidity = record.invalidity {
            logger.warning("module order's result not recorded", ["node": request.node, "reason": invalidity])
            return done(false)
        }
        let write = ClusterRequest.write(FleetCodec.encode(.putNode(record)))
        let context = audit.map {
            AuditContext(user: $0.user, role: $0.role, source: $0.source, atMilliseconds: WallClock.nowMilliseconds())
        }
        let (gateway, logger, recorded) = (self.gateway, self.logger, record)
        gateway.raft.submit(context.map { .audited($0, write) } ?? write) { outcome in
            guard outcome.succeeded else {
                logger.warning("module order's result not recorded", ["node": recorded.id, "outcome": outcome.logSummary])
                return done(false)
            }
            gateway.noteRecorded(recorded, over: base)
            done(true)
        }
    }
}

/// `hotswap_module_orders_sent_total` and `hotswap_module_order_results_total{outcome}`: module
/// orders sent to agents (resends included), and what came of them — each answer by the host's
/// outcome, `accepted` (taken, still running) or `not_accepted`, and each order that ended without
/// one (`abandoned`, `forgotten`).
struct ModuleOrderCounters: Sendable {
    static let outcomes = InstallResult.Outcome.allCases.map { "\($0)" } + ["accepted", "not_accepted", "abandoned", "forgotten"]

    let sent: Counter
    private let results: [String: Counter]

    init(metrics: MetricsRegistry) {
        sent = metrics.counter("hotswap_module_orders_sent_total", help: "Module orders sent to agents, resends included.")
        var results: [String: Counter] = [:]
        for outcome in Self.outcomes {
            results[outcome] = metrics.counter(
                "hotswap_module_order_results_total",
                help: "What came of module orders: the agents' answers by outcome, and orders ended without one.",
                labels: [("outcome", outcome)])
        }
        self.results = results
    }

    func count(_ result: AgentCommandResult) {
        ended(result.install.map { "\($0.outcome)" } ?? (result.accepted ? "accepted" : "not_accepted"))
    }

    func ended(_ outcome: String) {
        results[outcome]?.increment()
    }
}
