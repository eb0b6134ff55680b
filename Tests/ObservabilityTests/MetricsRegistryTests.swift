import Dispatch
import Observability
import Testing

@Suite struct MetricsRegistryTests {
    @Test func registeringTheSameNameAndLabelsReturnsTheSameMetric() {
        let registry = MetricsRegistry()
        let first = registry.counter("jobs_total", help: "Jobs.", labels: [("a", "1"), ("b", "2")])
        let again = registry.counter("jobs_total", help: "Jobs.", labels: [("b", "2"), ("a", "1")])
        let other = registry.counter("jobs_total", help: "Jobs.", labels: [("a", "1"), ("b", "3")])
        #expect(first === again)
        #expect(first !== other)
        #expect(registry.gauge("g", help: "G.") === registry.gauge("g", help: "G."))
        let buckets = HistogramBuckets.latencySeconds
        #expect(registry.histogram("h_seconds", help: "H.", buckets: buckets)
                === registry.histogram("h_seconds", help: "H.", buckets: buckets))
    }

    @Test func counterAndGaugeReportTheirValues() {
        let registry = MetricsRegistry()
        let counter = registry.counter("c_total", help: "C.")
        counter.increment()
        counter.increment(by: 4)
        let gauge = registry.gauge("g", help: "G.")
        gauge.set(10)
        gauge.add(-2.5)
        #expect(counter.value == 5)
        #expect(gauge.value == 7.5)
    }

    @Test func histogramCountsAreCumulativeAndBoundsAreInclusive() {
        let registry = MetricsRegistry()
        let histogram = registry.histogram("h_seconds", help: "H.", buckets: [1, 2, 3])
        for value in [-5.0, 1, 1.5, 2, 2, 3, 3.5, .infinity] {
            histogram.observe(value)
        }
        let counts = registry.exposition().split(separator: "\n")
            .filter { $0.hasPrefix("h_seconds_bucket") }
            .map { $0.split(separator: " ").last! }
        #expect(counts == ["2", "5", "6", "8"])
    }

    @Test func concurrentUpdatesFromManyThreadsAllCount() {
        let registry = MetricsRegistry()
        let threads = 8
        let perThread = 20_000
        DispatchQueue.concurrentPerform(iterations: threads) { _ in
            let counter = registry.counter("hits_total", help: "Hits.")
            let gauge = registry.gauge("level", help: "Level.")
            let histogram = registry.histogram("wait_seconds", help: "Wait.", buckets: [0.5])
            for index in 0..<perThread {
                counter.increment()
                gauge.add(1)
                histogram.observe(index.isMultiple(of: 2) ? 0.25 : 1)
            }
        }
        let total = threads * perThread
        #expect(registry.counter("hits_total", help: "Hits.").value == total)
        #expect(registry.gauge("level", help: "Level.").value == Double(total))
        let exposition = registry.exposition()
        #expect(exposition.contains("wait_seconds_bucket{le=\"0.5\"} \(total / 2)\n"))
        #expect(exposition.contains("wait_seconds_count \(total)\n"))
    }

    @Test func gaugeFunctionIsReadAtEachExposition() {
        let registry = MetricsRegistry()
        let source = registry.counter("source_total", help: "Source.")
        registry.gaugeFunction("mirror", help: "Mirror.") { Double(source.value) }
        source.increment(by: 3)
        #expect(registry.exposition().contains("mirror 3\n"))
        source.increment(by: 2)
        #expect(registry.exposition().contains("mirror 5\n"))
    }

    @Test func counterFunctionIsACounterReadAtEachExposition() {
        let registry = MetricsRegistry()
        let ring = LogRing(linesMaximumCount: 1)
        registry.counterFunction("ring_dropped_total", help: "Dropped.") { UInt64(ring.droppedLineCount) }
        ring.append("a")
        #expect(registry.exposition() == "# HELP ring_dropped_total Dropped.\n# TYPE ring_dropped_total counter\nring_dropped_total 0\n")
        ring.append("b")
        ring.append("c")
        #expect(registry.exposition().contains("ring_dropped_total 2\n"))
    }

    @Test func gaugeFunctionMayRegisterAndReadMetricsWithoutDeadlock() {
        let registry = MetricsRegistry()
        registry.gaugeFunction("mirror_of_x", help: "Mirror.") {
            Double(registry.counter("x_total", help: "X.").value)
        }
        registry.counter("x_total", help: "X.").increment(by: 2)
        #expect(registry.exposition().contains("mirror_of_x 2\n"))
    }
}
