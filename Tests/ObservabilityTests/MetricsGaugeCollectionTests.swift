import Observability
import Testing

/// A gauge collection lists its series at each exposition: they come and go with what it reads,
/// sorted by their labels, at most its maximum, under one HELP and TYPE even when there is none.
@Suite struct MetricsGaugeCollectionTests {
    @Test func itsSeriesAreWhatItReadsAtEachExposition() {
        let registry = MetricsRegistry()
        // What it reads: a gauge of another registry choosing among three lists.
        let phase = MetricsRegistry().gauge("phase", help: "P.")
        let lists: [[MetricSample]] = [
            [],
            [MetricSample(labels: ["id": "b", "kind": "x\"y"], value: -1), MetricSample(labels: ["id": "a"], value: 2.5),
             MetricSample(labels: ["id": "c"], value: 3)],
            [MetricSample(labels: ["id": "c"], value: 0)],
        ]
        registry.gaugeCollection("jobs_running", help: "Running jobs.", seriesMaximum: 2) { lists[Int(phase.value)] }
        #expect(registry.exposition() == "# HELP jobs_running Running jobs.\n# TYPE jobs_running gauge\n")
        phase.set(1)
        #expect(registry.exposition() == """
            # HELP jobs_running Running jobs.
            # TYPE jobs_running gauge
            jobs_running{id="a"} 2.5
            jobs_running{id="b",kind="x\\"y"} -1

            """)
        phase.set(2)
        #expect(registry.exposition().hasSuffix("jobs_running{id=\"c\"} 0\n"))
    }

    @Test func anotherSeriesUnderItsNameStopsTheProcess() async {
        await #expect(processExitsWith: .failure) {
            let registry = MetricsRegistry()
            registry.gaugeCollection("jobs_running", help: "Running jobs.", seriesMaximum: 2) { [] }
            _ = registry.gauge("jobs_running", help: "Running jobs.", labels: [("id", "a")])
        }
    }

    @Test func aCollectionUnderATakenNameStopsTheProcess() async {
        await #expect(processExitsWith: .failure) {
            let registry = MetricsRegistry()
            _ = registry.gauge("jobs_running", help: "Running jobs.", labels: [("id", "a")])
            registry.gaugeCollection("jobs_running", help: "Running jobs.", seriesMaximum: 2) { [] }
        }
    }
}
