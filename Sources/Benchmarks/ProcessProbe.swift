import CommandLineSupport
import Glibc
import Telemetry

/// What `/proc` says of another process: CPU time used and resident memory,
/// for the benchmarks' figures.
struct ProcessProbe {
    let pid: pid_t

    /// User plus system CPU seconds so far.
    func cpuSeconds() throws -> Double {
        let stat = try ProcessStat.parse(try FileText.read("/proc/\(pid)/stat"))
        return Double(stat.cpuTicks) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// Resident set size in bytes (`VmRSS`).
    func residentBytes() throws -> UInt64 {
        try ProcessStatus.parse(try FileText.read("/proc/\(pid)/status")).residentBytes ?? 0
    }
}

/// The cumulative buckets of one Prometheus histogram, read from `/metrics`
/// text; two readings give the distribution of what happened between them.
struct HistogramReading {
    /// Upper bound → cumulative count; `+Inf` as `.infinity`.
    let buckets: [(bound: Double, count: Double)]

    init(metricsText: String, name: String) {
        var buckets: [(Double, Double)] = []
        for line in metricsText.split(separator: "\n") where line.hasPrefix(name + "_bucket{") {
            let afterLabel = line.split(separator: "le=\"", maxSplits: 1, omittingEmptySubsequences: false)
            guard afterLabel.count == 2, let boundText = afterLabel[1].split(separator: "\"").first,
                  let count = Double(line.split(separator: " ").last ?? "") else { continue }
            buckets.append((boundText == "+Inf" ? .infinity : Double(boundText) ?? .infinity, count))
        }
        self.buckets = buckets.sorted { $0.0 < $1.0 }
    }

    /// The smallest bucket bound covering `fraction` of the observations
    /// made since `earlier`; nil when there were none.
    func quantileBound(_ fraction: Double, since earlier: HistogramReading) -> Double? {
        let before = Dictionary(earlier.buckets.map { ($0.bound, $0.count) }, uniquingKeysWith: { $1 })
        let deltas = buckets.map { ($0.bound, $0.count - (before[$0.bound] ?? 0)) }
        guard let total = deltas.last?.1, total > 0 else { return nil }
        return deltas.first { $0.1 >= fraction * total }?.0
    }

    var observationCount: Double { buckets.last?.count ?? 0 }
}
