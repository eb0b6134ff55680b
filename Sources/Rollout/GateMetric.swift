/// A figure the stabilization gate judges (Docs/DEPLOYMENTS.md, "The gate"). Raw values are
/// stored in gate decisions: never reuse one.
public enum GateMetric: UInt8, Sendable, CaseIterable, Comparable, CustomStringConvertible {
    /// Host CPU busy, percent of all CPUs.
    case hostCPU = 1
    /// Host memory used, percent of the total.
    case hostMemory = 2
    /// The deployed module's health-probe latency, milliseconds.
    case probeLatency = 3
    /// The deployed module's process CPU, percent of one core.
    case moduleCPU = 4
    /// The deployed module's resident memory, MiB.
    case moduleMemory = 5

    public static func < (lhs: GateMetric, rhs: GateMetric) -> Bool { lhs.rawValue < rhs.rawValue }

    /// Position in `MetricValues`.
    var index: Int { Int(rawValue) - 1 }

    public var description: String {
        switch self {
        case .hostCPU: "host CPU %"
        case .hostMemory: "host memory %"
        case .probeLatency: "probe latency ms"
        case .moduleCPU: "module CPU %"
        case .moduleMemory: "module memory MiB"
        }
    }
}

/// One value per `GateMetric`, each absent when there was nothing to measure it from.
public struct MetricValues: Sendable, Equatable {
    private var values: [Double?]

    public static let empty = MetricValues()

    public init() {
        values = Array(repeating: nil, count: GateMetric.allCases.count)
    }

    public init(_ pairs: [GateMetric: Double]) {
        self.init()
        for (metric, value) in pairs { self[metric] = value }
    }

    public subscript(metric: GateMetric) -> Double? {
        get { values[metric.index] }
        set { values[metric.index] = newValue }
    }

    /// Whether no metric has a value.
    public var isEmpty: Bool { values.allSatisfy { $0 == nil } }
}
