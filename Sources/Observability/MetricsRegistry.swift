import Locking

/// Owns a process's metrics and renders them for a `/metrics` endpoint in the Prometheus
/// text exposition format 0.0.4. Registering the same name and labels again returns the
/// metric already registered; misuse (a name reused for another type, invalid names, too
/// many series) is a programming error and stops the process with a message.
public final class MetricsRegistry: Sendable {
    /// The most series (one per name and label set) one registry holds.
    public static let seriesMaximumCount = 10_000
    /// The longest metric name accepted, in bytes.
    public static let nameMaximumBytes = 200
    /// The longest HELP text accepted, in UTF-8 bytes.
    public static let helpMaximumBytes = 1024
    /// The longest label value accepted, in UTF-8 bytes.
    public static let labelValueMaximumBytes = MetricLabels.valueMaximumBytes
    /// The `Content-Type` to send with `exposition()`.
    public static let expositionContentType = "text/plain; version=0.0.4; charset=utf-8"

    private static let histogramSuffixes = ["_bucket", "_sum", "_count"]

    private struct State {
        var families: [String: MetricFamily] = [:]
        var seriesCount = 0
    }

    private let state = Locked(State())

    public init() {}

    /// The counter `name` (which must end in `_total`) with `labels`, created at zero on first use.
    public func counter(_ name: String, help: String, labels: [(String, String)] = []) -> Counter {
        precondition(name.hasSuffix("_total"), "counter \(name): counter names must end in _total")
        let series = register(name, help: help, kind: .counter, labels: labels) { .counter(Counter()) }
        guard case .counter(let counter) = series else {
            preconditionFailure("metric \(name) is a \(series.descriptionForMessages), not a counter")
        }
        return counter
    }

    /// The gauge `name` with `labels`, created at zero on first use.
    public func gauge(_ name: String, help: String, labels: [(String, String)] = []) -> Gauge {
        let series = register(name, help: help, kind: .gauge, labels: labels) { .gauge(Gauge()) }
        guard case .gauge(let gauge) = series else {
            preconditionFailure("metric \(name) is a \(series.descriptionForMessages), not a gauge")
        }
        return gauge
    }

    /// The histogram `name` with `labels` and finite, strictly increasing `buckets`
    /// (`+Inf` is added); registering it again requires the same buckets.
    public func histogram(_ name: String, help: String, buckets: [Double], labels: [(String, String)] = []) -> Histogram {
        precondition(!labels.contains { $0.0 == "le" }, "histogram \(name): the label name le is reserved")
        let series = register(name, help: help, kind: .histogram, labels: labels, upperBounds: buckets) {
            .histogram(Histogram(upperBounds: buckets, metric: name))
        }
        guard case .histogram(let histogram) = series else {
            preconditionFailure("metric \(name) is a \(series.descriptionForMessages), not a histogram")
        }
        return histogram
    }

    /// A gauge whose value `read` returns at each exposition, for values owned elsewhere
    /// (queue lengths, table sizes). `read` runs outside the registry's lock and must be quick.
    /// Registering the same name and labels twice is a programming error.
    public func gaugeFunction(
        _ name: String,
        help: String,
        labels: [(String, String)] = [],
        _ read: @escaping @Sendable () -> Double
    ) {
        var created = false
        _ = register(name, help: help, kind: .gauge, labels: labels) {
            created = true
            return .gaugeFunction(read)
        }
        precondition(created, "gauge function \(name) with these labels is already registered")
    }

    /// A counter (`name` ending in `_total`) whose value `read` returns at each exposition, for a
    /// count owned elsewhere that only grows (lines a ring dropped). `read` runs outside the
    /// registry's lock and must be quick. Registering the same name and labels twice is a programming error.
    public func counterFunction(_ name: String, help: String, labels: [(String, String)] = [],
                                _ read: @escaping @Sendable () -> UInt64) {
        precondition(name.hasSuffix("_total"), "counter \(name): counter names must end in _total")
        var created = false
        _ = register(name, help: help, kind: .counter, labels: labels) {
            created = true
            return .counterFunction(read)
        }
        precondition(created, "counter function \(name) with these labels is already registered")
    }

    /// A gauge family whose series `collect` lists at each exposition, for label sets that come
    /// and go (one series per running deployment): registering a series for each would keep them
    /// forever. It reserves `seriesMaximum` of the registry's series and shows at most that many,
    /// the first by their labels. `collect` runs outside the registry's lock and must be quick.
    /// `labelNames` are checked here as a series' are; at each exposition a sample whose label
    /// names are not exactly these, whose value is too long, that repeats an earlier sample's
    /// labels or that is past the bound is left out and counted in
    /// `hotswap_metrics_samples_dropped_total{metric=NAME}`. The name holds no other series;
    /// registering it twice is a programming error.
    public func gaugeCollection(
        _ name: String,
        help: String,
        labelNames: [String],
        seriesMaximum: Int,
        _ collect: @escaping @Sendable () -> [MetricSample]
    ) {
        precondition(seriesMaximum > 0, "gauge collection \(name): seriesMaximum must be positive")
        _ = MetricLabels(labelNames.map { ($0, "") }, metric: name)
        let dropped = counter("hotswap_metrics_samples_dropped_total",
                              help: "Samples of a gauge collection left out of the exposition (label names other than "
                              + "declared, a value too long, labels repeated, past its bound), by metric.",
                              labels: [("metric", name)])
        let collection = GaugeCollection(labelNames: Set(labelNames), maximum: seriesMaximum, collect: collect, dropped: dropped)
        var created = false
        _ = register(name, help: help, kind: .gauge, labels: [], reserving: seriesMaximum) {
            created = true
            return .gaugeCollection(collection)
        }
        precondition(created, "gauge collection \(name) is already registered")
    }

    /// Every registered series in the text exposition format 0.0.4: families sorted by name,
    /// each under one HELP and one TYPE line, series sorted by their labels.
    public func exposition() -> String {
        let families = state.withLock { state in
            state.families.values.sorted { $0.name < $1.name }
        }
        return Exposition.render(families)
    }

    /// The series registered under `name` and `labels`, made by `make` if there is none yet.
    private func register(
        _ name: String,
        help: String,
        kind: MetricKind,
        labels: [(String, String)],
        upperBounds: [Double] = [],
        reserving reserved: Int = 1,
        make: () -> MetricSeries
    ) -> MetricSeries {
        validate(name: name, help: help)
        let key = MetricLabels(labels, metric: name)
        return state.withLock { state in
            var family = state.families[name] ?? MetricFamily(name: name, help: help, kind: kind, upperBounds: upperBounds)
            checkCompatible(family, help: help, kind: kind, upperBounds: upperBounds)
            if let existing = family.series[key] {
                return existing
            }
            precondition(!family.isCollection, "metric \(name) is a gauge collection: it holds no other series")
            checkNoHistogramClash(name, kind: kind, families: state.families)
            precondition(
                state.seriesCount + reserved <= Self.seriesMaximumCount,
                "metric \(name): registry is full (\(Self.seriesMaximumCount) series)"
            )
            let created = make()
            if case .gaugeCollection = created {
                precondition(family.series.isEmpty, "gauge collection \(name): the name already holds series")
            }
            family.insert(created, labels: key)
            state.families[name] = family
            state.seriesCount += reserved
            return created
        }
    }

    private func validate(name: String, help: String) {
        precondition(PrometheusText.isValidMetricName(name), "invalid metric name \"\(name)\"")
        precondition(name.utf8.count <= Self.nameMaximumBytes, "metric \(name): name longer than \(Self.nameMaximumBytes) bytes")
        precondition(help.utf8.count <= Self.helpMaximumBytes, "metric \(name): help longer than \(Self.helpMaximumBytes) bytes")
    }

    private func checkCompatible(_ family: MetricFamily, help: String, kind: MetricKind, upperBounds: [Double]) {
        precondition(
            family.kind == kind,
            "metric \(family.name) is already registered as a \(family.kind.rawValue), not a \(kind.rawValue)"
        )
        precondition(family.help == help, "metric \(family.name) is already registered with different help text")
        precondition(
            family.upperBounds == upperBounds,
            "histogram \(family.name) is already registered with different buckets"
        )
    }

    /// A histogram `h` also writes `h_bucket`, `h_sum` and `h_count`; no other family may use those names.
    private func checkNoHistogramClash(_ name: String, kind: MetricKind, families: [String: MetricFamily]) {
        for suffix in Self.histogramSuffixes {
            if name.hasSuffix(suffix) {
                let base = String(name.dropLast(suffix.count))
                precondition(families[base]?.kind != .histogram, "metric \(name) clashes with histogram \(base)")
            }
            if kind == .histogram {
                precondition(families[name + suffix] == nil, "histogram \(name) clashes with metric \(name + suffix)")
            }
        }
    }
}
