import Observability
import Testing

/// A gauge collection lists its series at each exposition: they come and go with what it reads,
/// sorted by their labels, at most its maximum, under one HELP and TYPE even when there is none. A
/// sample that breaks its declared label names, a value too long, repeated labels and samples
/// past the maximum are left out and counted, never stopping the process.
@Suite struct MetricsGaugeCollectionTests {
    static let help = "# HELP jobs_running Running jobs.\n# TYPE jobs_running gauge\n"

    /// The exposition without the dropped-samples family.
    static func jobs(_ registry: MetricsRegistry) -> String {
        String(registry.exposition().split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !$0.contains("hotswap_metrics_samples_dropped_total") }.joined(separator: "\n"))
    }

    static func dropped(_ registry: MetricsRegistry) -> String? {
        registry.exposition().split(separator: "\n").first { $0.hasPrefix("hotswap_metrics_samples_dropped_total{") }.map(String.init)
    }

    @Test func itsSeriesAreWhatItReadsAtEachExposition() {
        let registry = MetricsRegistry()
        // What it reads: a gauge of another registry choosing among three lists.
        let phase = MetricsRegistry().gauge("phase", help: "P.")
        let lists: [[MetricSample]] = [
            [],
            [MetricSample(labels: ["id": "b", "kind": "x\"y"], value: -1), MetricSample(labels: ["id": "a", "kind": ""], value: 2.5),
             MetricSample(labels: ["id": "c", "kind": ""], value: 3)],
            [MetricSample(labels: ["id": "c", "kind": "z"], value: 0)],
        ]
        registry.gaugeCollection("jobs_running", help: "Running jobs.", labelNames: ["id", "kind"], seriesMaximum: 2) {
            lists[Int(phase.value)]
        }
        #expect(Self.jobs(registry) == Self.help)
        #expect(Self.dropped(registry) == "hotswap_metrics_samples_dropped_total{metric=\"jobs_running\"} 0")
        phase.set(1)
        #expect(Self.jobs(registry) == Self.help + """
            jobs_running{id="a",kind=""} 2.5
            jobs_running{id="b",kind="x\\"y"} -1

            """)
        phase.set(2)
        #expect(Self.jobs(registry).hasSuffix("jobs_running{id=\"c\",kind=\"z\"} 0\n"))
        #expect(Self.dropped(registry) == "hotswap_metrics_samples_dropped_total{metric=\"jobs_running\"} 1", "c, past the maximum")
    }

    @Test func samplesThatBreakTheDeclarationAreLeftOutAndCounted() {
        let registry = MetricsRegistry()
        let tooLong = String(repeating: "v", count: MetricsRegistry.labelValueMaximumBytes + 1)
        registry.gaugeCollection("jobs_running", help: "Running jobs.", labelNames: ["id"], seriesMaximum: 10) {
            [MetricSample(labels: ["id": "a"], value: 1), MetricSample(labels: ["id": "a"], value: 2),
             MetricSample(labels: ["id": "b", "extra": "x"], value: 3), MetricSample(labels: [:], value: 4),
             MetricSample(labels: ["id": tooLong], value: 5), MetricSample(labels: ["ID": "c"], value: 6)]
        }
        let text = Self.jobs(registry)
        #expect(text.hasPrefix(Self.help) && text.split(separator: "\n").filter { $0.hasPrefix("jobs_running{") }.count == 1, "\(text)")
        #expect(text.contains("jobs_running{id=\"a\"} "))
        #expect(Self.dropped(registry) == "hotswap_metrics_samples_dropped_total{metric=\"jobs_running\"} 5")
    }

    @Test func invalidLabelNamesStopTheProcessAtRegistration() async {
        await #expect(processExitsWith: .failure) {
            MetricsRegistry().gaugeCollection("jobs_running", help: "Running jobs.", labelNames: ["id", "id"], seriesMaximum: 2) { [] }
        }
        await #expect(processExitsWith: .failure) {
            MetricsRegistry().gaugeCollection("jobs_running", help: "Running jobs.", labelNames: ["__id"], seriesMaximum: 2) { [] }
        }
    }

    @Test func anotherSeriesUnderItsNameStopsTheProcess() async {
        await #expect(processExitsWith: .failure) {
            let registry = MetricsRegistry()
            registry.gaugeCollection("jobs_running", help: "Running jobs.", labelNames: ["id"], seriesMaximum: 2) { [] }
            _ = registry.gauge("jobs_running", help: "Running jobs.", labels: [("id", "a")])
        }
    }

    @Test func aCollectionUnderATakenNameStopsTheProcess() async {
        await #expect(processExitsWith: .failure) {
            let registry = MetricsRegistry()
            _ = registry.gauge("jobs_running", help: "Running jobs.", labels: [("id", "a")])
            registry.gaugeCollection("jobs_running", help: "Running jobs.", labelNames: ["id"], seriesMaximum: 2) { [] }
        }
    }
}
