import Observability
import Testing

/// Misuse of the registry is a programming error that stops the process; each case runs in
/// its own child process.
@Suite struct MetricsRegistryMisuseTests {
    @Test func reusingANameForAnotherTypeStopsTheProcess() async {
        await #expect(processExitsWith: .failure) {
            let registry = MetricsRegistry()
            _ = registry.gauge("shared", help: "S.")
            _ = registry.histogram("shared", help: "S.", buckets: [1])
        }
    }

    @Test func counterNameWithoutTotalSuffixStopsTheProcess() async {
        await #expect(processExitsWith: .failure) {
            _ = MetricsRegistry().counter("requests", help: "R.")
        }
    }

    @Test func invalidMetricNameStopsTheProcess() async {
        await #expect(processExitsWith: .failure) {
            _ = MetricsRegistry().gauge("1bad-name", help: "B.")
        }
    }

    @Test func invalidLabelNameStopsTheProcess() async {
        await #expect(processExitsWith: .failure) {
            _ = MetricsRegistry().gauge("g", help: "G.", labels: [("bad-label", "v")])
        }
    }

    @Test func histogramWithUnsortedBucketsStopsTheProcess() async {
        await #expect(processExitsWith: .failure) {
            _ = MetricsRegistry().histogram("h_seconds", help: "H.", buckets: [1, 0.5])
        }
    }

    @Test func sameHistogramWithOtherBucketsStopsTheProcess() async {
        await #expect(processExitsWith: .failure) {
            let registry = MetricsRegistry()
            _ = registry.histogram("h_seconds", help: "H.", buckets: [1])
            _ = registry.histogram("h_seconds", help: "H.", buckets: [2])
        }
    }

    @Test func nameClashingWithAHistogramSeriesStopsTheProcess() async {
        await #expect(processExitsWith: .failure) {
            let registry = MetricsRegistry()
            _ = registry.histogram("h_seconds", help: "H.", buckets: [1])
            _ = registry.gauge("h_seconds_count", help: "C.")
        }
    }

    @Test func registeringTheSameGaugeFunctionTwiceStopsTheProcess() async {
        await #expect(processExitsWith: .failure) {
            let registry = MetricsRegistry()
            registry.gaugeFunction("f", help: "F.") { 1 }
            registry.gaugeFunction("f", help: "F.") { 2 }
        }
    }

    @Test func registeringBeyondTheSeriesMaximumStopsTheProcess() async {
        await #expect(processExitsWith: .failure) {
            let registry = MetricsRegistry()
            for index in 0...MetricsRegistry.seriesMaximumCount {
                _ = registry.gauge("g", help: "G.", labels: [("i", String(index))])
            }
        }
    }

    @Test func seriesUpToTheMaximumAreAccepted() {
        let registry = MetricsRegistry()
        for index in 0..<MetricsRegistry.seriesMaximumCount {
            _ = registry.gauge("g", help: "G.", labels: [("i", String(index))])
        }
        #expect(registry.exposition().split(separator: "\n").count == MetricsRegistry.seriesMaximumCount + 2)
    }
}
