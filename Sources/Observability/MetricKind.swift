/// The Prometheus type of a metric family, as written on its `# TYPE` line.
enum MetricKind: String, Sendable {
    case counter
    case gauge
    case histogram
}
