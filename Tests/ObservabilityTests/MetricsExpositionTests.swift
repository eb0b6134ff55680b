import Observability
import Testing

@Suite struct MetricsExpositionTests {
    @Test func counterFamilyIsWrittenUnderOneHelpAndTypeWithSortedSeries() {
        let registry = MetricsRegistry()
        registry.counter("http_requests_total", help: "Requests served.", labels: [("code", "500")]).increment()
        registry.counter("http_requests_total", help: "Requests served.", labels: [("code", "200")]).increment(by: 41)
        #expect(registry.exposition() == """
            # HELP http_requests_total Requests served.
            # TYPE http_requests_total counter
            http_requests_total{code="200"} 41
            http_requests_total{code="500"} 1

            """)
    }

    @Test func gaugeAndGaugeFunctionShareAFamilyAndSpellNumbersLikePrometheus() {
        let registry = MetricsRegistry()
        registry.gauge("queue_depth", help: "Items waiting.", labels: [("queue", "a")]).set(3)
        registry.gauge("queue_depth", help: "Items waiting.", labels: [("queue", "b")]).add(-0.25)
        registry.gaugeFunction("queue_depth", help: "Items waiting.", labels: [("queue", "c")]) { .infinity }
        registry.gaugeFunction("queue_depth", help: "Items waiting.", labels: [("queue", "d")]) { .nan }
        registry.gaugeFunction("queue_depth", help: "Items waiting.", labels: [("queue", "e")]) { 1e-7 }
        #expect(registry.exposition() == """
            # HELP queue_depth Items waiting.
            # TYPE queue_depth gauge
            queue_depth{queue="a"} 3
            queue_depth{queue="b"} -0.25
            queue_depth{queue="c"} +Inf
            queue_depth{queue="d"} NaN
            queue_depth{queue="e"} 1e-07

            """)
    }

    @Test func histogramWritesCumulativeBucketsInfSumAndCount() {
        let registry = MetricsRegistry()
        let histogram = registry.histogram(
            "request_duration_seconds", help: "Time to answer.", buckets: [0.125, 0.5, 1], labels: [("route", "/healthz")]
        )
        for value in [0.0625, 0.125, 0.25, 0.75, 2, 3] {
            histogram.observe(value)
        }
        #expect(registry.exposition() == """
            # HELP request_duration_seconds Time to answer.
            # TYPE request_duration_seconds histogram
            request_duration_seconds_bucket{route="/healthz",le="0.125"} 2
            request_duration_seconds_bucket{route="/healthz",le="0.5"} 3
            request_duration_seconds_bucket{route="/healthz",le="1"} 4
            request_duration_seconds_bucket{route="/healthz",le="+Inf"} 6
            request_duration_seconds_sum{route="/healthz"} 6.1875
            request_duration_seconds_count{route="/healthz"} 6

            """)
    }

    @Test func emptyHistogramWritesZeroBuckets() {
        let registry = MetricsRegistry()
        _ = registry.histogram("size_bytes", help: "Sizes.", buckets: [1024])
        #expect(registry.exposition() == """
            # HELP size_bytes Sizes.
            # TYPE size_bytes histogram
            size_bytes_bucket{le="1024"} 0
            size_bytes_bucket{le="+Inf"} 0
            size_bytes_sum 0
            size_bytes_count 0

            """)
    }

    @Test func familiesAreSortedByNameWhateverTheRegistrationOrder() {
        let registry = MetricsRegistry()
        registry.gauge("zeta", help: "Z.").set(1)
        _ = registry.counter("alpha_total", help: "A.")
        #expect(registry.exposition() == """
            # HELP alpha_total A.
            # TYPE alpha_total counter
            alpha_total 0
            # HELP zeta Z.
            # TYPE zeta gauge
            zeta 1

            """)
    }

    @Test func labelValuesAndHelpAreEscaped() {
        let registry = MetricsRegistry()
        let labels = [("path", #"C:\tmp"#), ("quote", #"say "hi""#), ("text", "one\ntwo")]
        registry.gauge("escape_demo", help: "Back\\slash and\nnewline \"quoted\".", labels: labels).set(1)
        #expect(registry.exposition() == #"""
            # HELP escape_demo Back\\slash and\nnewline "quoted".
            # TYPE escape_demo gauge
            escape_demo{path="C:\\tmp",quote="say \"hi\"",text="one\ntwo"} 1

            """#)
    }

    @Test func emptyRegistryExposesNothing() {
        #expect(MetricsRegistry().exposition() == "")
    }

    @Test func latencyBucketsRunFromHalfAMillisecondToTenSecondsIncreasing() {
        let buckets = HistogramBuckets.latencySeconds
        #expect(buckets.first == 0.0005)
        #expect(buckets.last == 10)
        #expect(zip(buckets, buckets.dropFirst()).allSatisfy { $0 < $1 })
    }
}
