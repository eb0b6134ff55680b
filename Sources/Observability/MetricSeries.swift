/// The live value behind one series of a family: a metric object or, for values owned
/// elsewhere, a function read at exposition time.
enum MetricSeries: Sendable {
    case counter(Counter)
    case gauge(Gauge)
    case gaugeFunction(@Sendable () -> Double)
    /// A count kept elsewhere that only grows, read at exposition time.
    case counterFunction(@Sendable () -> UInt64)
    /// The whole family's series, listed at each exposition.
    case gaugeCollection(GaugeCollection)
    case histogram(Histogram)

    var kind: MetricKind {
        switch self {
        case .counter, .counterFunction: .counter
        case .gauge, .gaugeFunction, .gaugeCollection: .gauge
        case .histogram: .histogram
        }
    }

    /// A description for precondition messages.
    var descriptionForMessages: String {
        switch self {
        case .counter: "counter"
        case .gauge: "gauge"
        case .gaugeFunction: "gauge function"
        case .counterFunction: "counter function"
        case .gaugeCollection: "gauge collection"
        case .histogram: "histogram"
        }
    }
}
