/// One series of a gauge family whose series come and go (`MetricsRegistry.gaugeCollection`):
/// its labels and its value at this exposition.
public struct MetricSample: Sendable, Equatable {
    public var labels: [String: String]
    public var value: Double

    public init(labels: [String: String], value: Double) {
        self.labels = labels
        self.value = value
    }
}
