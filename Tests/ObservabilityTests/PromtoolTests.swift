import Foundation
import Observability
import Testing
import TestSupport

/// Holds the exposition to Prometheus's own parser and linter, `promtool check metrics`
/// (Debian package `prometheus`).
@Suite struct PromtoolTests {
    @Test func promtoolAcceptsAnExpositionWithEveryMetricType() throws {
        try Prerequisite.requireTools("promtool")
        let promtool = try #require(Prerequisite.path(ofTool: "promtool"))
        let registry = MetricsRegistry()
        registry.counter("demo_requests_total", help: "Requests served.", labels: [("code", "200")]).increment(by: 7)
        registry.counter("demo_requests_total", help: "Requests served.", labels: [("code", "500")]).increment()
        registry.gauge("demo_connections", help: "Open connections.", labels: [("peer", "a \"b\"\\c\nd")]).set(-2.5)
        registry.gaugeFunction("demo_start_time_seconds", help: "Start time\nof the process.") { 1.7e9 }
        registry.gaugeCollection("demo_jobs", help: "Jobs by id.", labelNames: ["id", "state"], seriesMaximum: 4) {
            [MetricSample(labels: ["id": "b", "state": ""], value: -1), MetricSample(labels: ["id": "a", "state": "running"], value: 1)]
        }
        registry.gaugeCollection("demo_idle", help: "A collection with no series now.", labelNames: [], seriesMaximum: 1) { [] }
        let histogram = registry.histogram(
            "demo_request_duration_seconds", help: "Time to answer.", buckets: HistogramBuckets.latencySeconds,
            labels: [("route", "/healthz")]
        )
        for value in [0.0001, 0.003, 0.2, 12] {
            histogram.observe(value)
        }
        let result = try ExternalCommand.run([promtool, "check", "metrics"], input: Data(registry.exposition().utf8))
        #expect(result.status == 0, "promtool check metrics failed: \(result.combined)")
        #expect(result.combined.isEmpty, "promtool reported: \(result.combined)")
    }
}
