/// Ready-made bucket upper bounds for `MetricsRegistry.histogram(_:help:buckets:labels:)`.
public enum HistogramBuckets {
    /// Request and operation latencies from half a millisecond to ten seconds.
    public static let latencySeconds: [Double] = [
        0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
    ]
}
