import Observability
import Transport
import Wire

/// The unauthenticated operational endpoints: liveness, readiness and metrics.
enum HealthRoutes {
    static func register(in routes: inout GuardedRoutes, metrics: MetricsRegistry, isReady: @escaping @Sendable () -> Bool) {
        routes.addOpen("GET", "/healthz") { _, responder in
            responder.sendJSON(status: 200, #"{"status":"ok"}"#)
        }
        routes.addOpen("GET", "/readyz") { _, responder in
            if isReady() {
                responder.sendJSON(status: 200, #"{"status":"ready"}"#)
            } else {
                responder.sendError(status: 503, code: "not_ready", message: "coordinator is not ready")
            }
        }
        routes.addOpen("GET", "/metrics") { _, responder in
            var headers = HTTPHeaders()
            headers.add(name: "Content-Type", value: "text/plain; version=0.0.4; charset=utf-8")
            responder.send(status: 200, headers: headers, body: Array(metrics.exposition().utf8))
        }
    }
}
