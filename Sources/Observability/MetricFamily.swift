/// All series registered under one metric name, sharing one HELP text and one TYPE.
struct MetricFamily: Sendable {
    let name: String
    let help: String
    let kind: MetricKind
    /// Extra facts that must agree on re-registration (a histogram's bucket bounds).
    let upperBounds: [Double]
    private(set) var series: [MetricLabels: MetricSeries] = [:]

    init(name: String, help: String, kind: MetricKind, upperBounds: [Double] = []) {
        self.name = name
        self.help = help
        self.kind = kind
        self.upperBounds = upperBounds
    }

    mutating func insert(_ value: MetricSeries, labels: MetricLabels) {
        precondition(value.kind == kind, "metric \(name): series kind must match its family")
        precondition(series[labels] == nil, "metric \(name): series registered twice")
        series[labels] = value
    }

    /// Whether its series are listed by a function at each exposition (then it holds no other).
    var isCollection: Bool {
        series.values.contains { if case .gaugeCollection = $0 { true } else { false } }
    }

    /// The series in a stable order: by their rendered labels.
    var sortedSeries: [(labels: MetricLabels, value: MetricSeries)] {
        series.map { (labels: $0.key, value: $0.value) }.sorted { $0.labels.rendered() < $1.labels.rendered() }
    }
}
