/// A gauge family whose series a function lists at each exposition
/// (`MetricsRegistry.gaugeCollection`), with the label names it declared at registration. A sample
/// that breaks the declaration is left out and counted in `dropped`, never stopping the process:
/// the samples come from state the process does not check against the registry's rules.
struct GaugeCollection: Sendable {
    /// The declared label names, each sample's exact key set.
    let labelNames: Set<String>
    /// The most samples shown; the first by their rendered labels.
    let maximum: Int
    let collect: @Sendable () -> [MetricSample]
    /// Samples left out: other label names, a value over `MetricLabels.valueMaximumBytes`, the
    /// labels of an earlier sample, or past `maximum`.
    let dropped: Counter

    /// The lines of this exposition's samples under `name`.
    func renderedLines(name: String) -> String {
        let samples = collect()
        var valid: [(labels: String, value: Double)] = []
        valid.reserveCapacity(min(samples.count, maximum))
        for sample in samples where Set(sample.labels.keys) == labelNames {
            guard let labels = MetricLabels(checking: sample.labels.map { ($0.key, $0.value) }) else { continue }
            valid.append((labels: labels.rendered(), value: sample.value))
        }
        var text = ""
        var shown = 0
        var previous: String?
        for sample in valid.sorted(by: { $0.labels < $1.labels }) where sample.labels != previous && shown < maximum {
            previous = sample.labels
            shown += 1
            text += "\(name)\(sample.labels) \(PrometheusText.number(sample.value))\n"
        }
        dropped.increment(by: samples.count - shown)
        return text
    }
}
