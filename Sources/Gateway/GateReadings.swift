import Rollout
import Telemetry

/// What the stabilization gate reads of one node over a window (Docs/DEPLOYMENTS.md, "Readings"):
/// per metric the median of the node's samples taken in `[from, to)`, in the gate's units.
public enum GateReadings {
    private static let bytesPerMiB = Double(1 << 20)

    /// The reading of `module` on a node from its samples: nil when none was taken in the window
    /// (no data). Host CPU and memory come from every sample in the window (memory from those
    /// with a known total); the module's metrics from the samples that carry the module (its
    /// name compared byte for byte), each nil when none does: probe latency from successful
    /// probes, CPU from the samples that could measure it. A failed probe in any of them marks
    /// the reading `probeFailed`; the reading counts the window's samples and those without the
    /// module (a module in none of them is not running).
    public static func reading(of samples: [Sample], module: String, from: UInt64, to: UInt64) -> NodeReading? {
        guard from < to else { return nil }
        let inWindow = samples.filter { (from..<to).contains($0.timestampMilliseconds) }
        guard !inWindow.isEmpty else { return nil }
        let modules = inWindow.compactMap { sample in
            sample.modules.first { $0.name.utf8.elementsEqual(module.utf8) }
        }
        var values = MetricValues()
        values[.hostCPU] = Median.of(inWindow.map { Double($0.hostCPUBusyBasisPoints) / 100 })
        values[.hostMemory] = Median.of(inWindow.compactMap(memoryPercent))
        values[.probeLatency] = Median.of(modules.compactMap { $0.probe.latencyMicroseconds.map { Double($0) / 1_000 } })
        values[.moduleCPU] = Median.of(modules.compactMap { $0.cpuBasisPoints.map { Double($0) / 100 } })
        values[.moduleMemory] = Median.of(modules.map { Double($0.rssBytes) / bytesPerMiB })
        return NodeReading(values: values, probeFailed: modules.contains { $0.probe == .failed },
                           samples: UInt32(clamping: inWindow.count),
                           samplesWithoutModule: UInt32(clamping: inWindow.count - modules.count))
    }

    /// Host memory used, percent of the total; nil when the total is unknown (0).
    private static func memoryPercent(_ sample: Sample) -> Double? {
        guard sample.hostMemoryTotalBytes > 0 else { return nil }
        return Double(sample.hostMemoryUsedBytes) / Double(sample.hostMemoryTotalBytes) * 100
    }
}
