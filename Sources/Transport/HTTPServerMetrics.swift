import Observability
import Primitives

/// Request counts by status class and request durations of one HTTP server.
struct HTTPServerMetrics: Sendable {
    private let requestsByClass: [Counter]
    private let duration: Histogram

    init(server: String, registry: MetricsRegistry) {
        requestsByClass = (1...5).map { statusClass in
            registry.counter("hotswap_http_requests_total", help: "HTTP requests answered, by status class.",
                             labels: [("server", server), ("code", "\(statusClass)xx")])
        }
        duration = registry.histogram("hotswap_http_request_duration_seconds",
                                      help: "Time from a request's first byte to its response being queued.",
                                      buckets: HistogramBuckets.latencySeconds, labels: [("server", server)])
    }

    func record(status: Int, startedAt: MonotonicInstant?, now: MonotonicInstant) {
        let statusClass = min(max(status / 100, 1), 5)
        requestsByClass[statusClass - 1].increment()
        if let startedAt {
            let elapsed = startedAt.duration(until: now)
            duration.observe(Double(elapsed.wholeNanoseconds) / 1e9)
        }
    }
}
