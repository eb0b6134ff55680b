import Foundation
import Testing
import TestSupport

/// The agent's host figures against prometheus-node-exporter's, measured in
/// the same window on this machine: node_exporter is scraped just before and
/// just after `hotswap agent sample --interval 2s`, so its window contains
/// the agent's (plus the few milliseconds of starting the processes).
///
/// Tolerances: memory used within 5 % of MemTotal (both read /proc/meminfo, a
/// few milliseconds apart; only other processes' allocations move it), and
/// CPU busy within 10 percentage points (the windows differ by process
/// start-up, and this machine is shared, so load can change in between).
struct NodeExporterCrossCheckTests {
    static let memoryToleranceOfTotal = 0.05
    static let cpuTolerancePercentagePoints = 10.0
    static let sampleInterval = "2s"

    @Test func hostMemoryAndCPUAgreeWithNodeExporterInTheSameWindow() throws {
        try Prerequisite.requireTools("prometheus-node-exporter", "curl")
        let exporter = try NodeExporter()
        defer { exporter.stop() }
        let before = try exporter.scrape()
        let output = try ExternalCommand.run([HotSwapBinary.path, "agent", "sample", "--interval", Self.sampleInterval,
                                              "--output", "json"])
        let after = try exporter.scrape()
        #expect(output.status == 0, "\(output.combined)")
        let sample = try #require(try JSONSerialization.jsonObject(with: Data(output.standardOutput.utf8)) as? [String: Any])
        let agentTotal = try #require((sample["hostMemoryTotalBytes"] as? NSNumber)?.doubleValue)
        let agentUsed = try #require((sample["hostMemoryUsedBytes"] as? NSNumber)?.doubleValue)
        let agentBusy = try #require((sample["hostCPUBusyBasisPoints"] as? NSNumber)?.doubleValue) / 100

        let exporterTotal = try #require(after.value("node_memory_MemTotal_bytes"))
        let exporterUsed = exporterTotal - (try #require(after.value("node_memory_MemAvailable_bytes")))
        let exporterBusy = try #require(NodeExporter.busyPercent(from: before, to: after))

        print("""
            node_exporter cross-check (same window):
              memory used: agent \(Int(agentUsed)) B, node_exporter \(Int(exporterUsed)) B, \
            difference \(String(format: "%.3f", abs(agentUsed - exporterUsed) / exporterTotal * 100)) % of total \
            (tolerance \(Self.memoryToleranceOfTotal * 100) %)
              CPU busy:    agent \(String(format: "%.2f", agentBusy)) %, node_exporter \(String(format: "%.4f", exporterBusy)) %, \
            tolerance \(Self.cpuTolerancePercentagePoints) points
            """)
        #expect(agentTotal == exporterTotal, "both read MemTotal")
        #expect(abs(agentUsed - exporterUsed) <= Self.memoryToleranceOfTotal * exporterTotal)
        #expect(abs(agentBusy - exporterBusy) <= Self.cpuTolerancePercentagePoints)
    }
}

/// A prometheus-node-exporter child on a free loopback port with only the
/// cpu and meminfo collectors, scraped with curl.
final class NodeExporter {
    let process: Subprocess
    let port: Int

    init() throws {
        port = Int(try Self.freePort())
        process = try Subprocess(["prometheus-node-exporter", "--web.listen-address=127.0.0.1:\(port)",
                                  "--collector.disable-defaults", "--collector.cpu", "--collector.meminfo"],
                                 standardOutput: .null, standardError: .null)
        let ready = eventually { (try? self.scrape()) != nil }
        guard ready else { throw ExporterError(description: "node_exporter did not answer on port \(port)") }
    }

    func stop() {
        process.terminate()
        process.waitUntilExit()
    }

    /// One scrape, parsed into sample lines.
    func scrape() throws -> Metrics {
        let output = try ExternalCommand.run(["curl", "-sf", "http://127.0.0.1:\(port)/metrics"], timeout: .seconds(10))
        guard output.status == 0 else { throw ExporterError(description: "scrape failed: \(output.combined)") }
        return Metrics(text: output.standardOutput)
    }

    /// `100 × (1 − Δ(idle + iowait) / Δ(all modes))` summed over CPUs, as TELEMETRY.md defines busy.
    static func busyPercent(from before: Metrics, to after: Metrics) -> Double? {
        let total = after.sum("node_cpu_seconds_total") - before.sum("node_cpu_seconds_total")
        let idle = after.sum("node_cpu_seconds_total", mode: ["idle", "iowait"])
            - before.sum("node_cpu_seconds_total", mode: ["idle", "iowait"])
        guard total > 0 else { return nil }
        return 100 * (1 - idle / total)
    }

    private static func freePort() throws -> UInt16 {
        guard let port = LoopbackPort.vacant() else { throw ExporterError(description: "no free port") }
        return port
    }

    struct ExporterError: Error, CustomStringConvertible {
        let description: String
    }

    /// Prometheus text-format samples: `name{labels} value`.
    struct Metrics {
        let lines: [(name: String, labels: String, value: Double)]

        init(text: String) {
            lines = text.split(separator: "\n").compactMap { line in
                guard !line.hasPrefix("#"), let space = line.lastIndex(of: " "),
                      let value = Double(line[line.index(after: space)...]) else { return nil }
                let series = line[..<space]
                let brace = series.firstIndex(of: "{") ?? series.endIndex
                return (String(series[..<brace]), String(series[brace...]), value)
            }
        }

        func value(_ name: String) -> Double? { lines.first { $0.name == name }?.value }

        func sum(_ name: String, mode modes: Set<String>? = nil) -> Double {
            lines.filter { line in
                guard line.name == name else { return false }
                guard let modes else { return true }
                return modes.contains { line.labels.contains("mode=\"\($0)\"") }
            }.reduce(0) { $0 + $1.value }
        }
    }
}
