/// The validated label set of one series, kept sorted by label name so that the same labels
/// given in any order name the same series.
struct MetricLabels: Hashable, Sendable {
    /// The most labels one series may carry.
    static let countMaximum = 16
    /// The longest label value accepted, in UTF-8 bytes.
    static let valueMaximumBytes = 1024

    struct Pair: Hashable, Sendable {
        let name: String
        let value: String
    }

    let pairs: [Pair]

    init(_ labels: [(String, String)], metric: String) {
        precondition(labels.count <= Self.countMaximum, "metric \(metric): more than \(Self.countMaximum) labels")
        for (name, value) in labels {
            precondition(PrometheusText.isValidLabelName(name), "metric \(metric): invalid label name \"\(name)\"")
            precondition(
                value.utf8.count <= Self.valueMaximumBytes,
                "metric \(metric): value of label \(name) is longer than \(Self.valueMaximumBytes) bytes"
            )
        }
        pairs = labels.map { Pair(name: $0.0, value: $0.1) }.sorted { $0.name < $1.name }
        for (earlier, later) in zip(pairs, pairs.dropFirst()) {
            precondition(earlier.name != later.name, "metric \(metric): label \(earlier.name) given twice")
        }
    }

    /// The labels, or nil where `init(_:metric:)` would stop the process.
    init?(checking labels: [(String, String)]) {
        guard labels.count <= Self.countMaximum,
              labels.allSatisfy({ PrometheusText.isValidLabelName($0.0) && $0.1.utf8.count <= Self.valueMaximumBytes }),
              Set(labels.map(\.0)).count == labels.count else { return nil }
        pairs = labels.map { Pair(name: $0.0, value: $0.1) }.sorted { $0.name < $1.name }
    }

    func contains(name: String) -> Bool {
        pairs.contains { $0.name == name }
    }

    /// `{a="1",b="2"}`, with `extra` appended last (used for a bucket's `le`), or the empty
    /// string when there are no labels at all.
    func rendered(extra: Pair? = nil) -> String {
        let all = extra.map { pairs + [$0] } ?? pairs
        guard !all.isEmpty else { return "" }
        let body = all.map { "\($0.name)=\"\(PrometheusText.escapedLabelValue($0.value))\"" }
        return "{" + body.joined(separator: ",") + "}"
    }
}
