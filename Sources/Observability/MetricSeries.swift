/// The live value behind one series of a family: a metric object or, for values owned
/// elsewhere, a function read at exposition time.
enum MetricSeries: Sendable {
    case counter(Counter)
    case gauge(Gauge)
    case gaugeFunction(@Sendable () -> Double)
    case histogram(Histogram)

    var kind: MetricKind {
        switch self {
        case .counter: .counter
        case .gauge, .gaugeFunction: .gauge
        case .histogram: .histogram
        }
    }

    /// A description for precondition messages.
    var descriptionForMessages: String {
        switch self {
        case .counter: "counter"
        case .gauge: "gauge"
        case .gaugeFunction: "gauge function"
        case .histogram: "histogram"
        }
    }
}
