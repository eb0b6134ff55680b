import Cluster
import Fleet
import Gateway
import Glibc
import Primitives
import Telemetry

/// `hotswap bench gateway-memory`: fills the leader's per-node tables (`GatewayTables`
/// windows, the hello records, the held hellos) with `nodes` entries at their bounds and
/// prints the resident memory each entry costs, measured as the growth of this process's
/// VmRSS over the filling divided by the entries, for `Docs/GATEWAY.md`'s memory budget.
public enum BenchGatewayMemory {
    public struct Settings: Sendable {
        public var nodes: Int
        public var modules: Int
        public var moduleNameBytes: Int
        public var limits = GatewayTables.Limits()

        public init(nodes: Int, modules: Int, moduleNameBytes: Int) {
            self.nodes = nodes
            self.modules = modules
            self.moduleNameBytes = moduleNameBytes
        }
    }

    public static func run(_ settings: Settings) throws -> Int32 {
        let probe = ProcessProbe(pid: getpid())
        print("# gateway tables at their bounds: \(settings.nodes) nodes, \(settings.limits.samplesPerNode) samples "
            + "and \(settings.limits.minutesPerNode) minute summaries each, \(settings.modules) modules a sample "
            + "with \(settings.moduleNameBytes)-byte names (each sample's names its own strings, as decoded reports make them)")
        print("| table | entries | RSS growth MiB | bytes per entry |\n|---|---|---|---|")
        var tables = GatewayTables(limits: settings.limits)
        try measure("windows", entries: settings.nodes, probe: probe) {
            for node in 0..<settings.nodes { fill(&tables, node: "node-\(node)", settings: settings) }
        }
        precondition(tables.windows.values.allSatisfy {
            $0.sampleCount == settings.limits.samplesPerNode && $0.summaries.count == settings.limits.minutesPerNode
        }, "a window is not at its bounds")
        var records: [String: NodeRecord] = [:]
        try measure("hello records (largest valid inventory)", entries: settings.nodes, probe: probe) {
            for node in 0..<settings.nodes { records["node-\(node)"] = largestRecord(node: node) }
        }
        var held = HeldHelloTable(maximum: settings.nodes, holdFor: .seconds(2))
        let handler = HeldHandler()
        var connections: [HeldHandler] = []
        try measure("held hellos (resume capturing that inventory)", entries: settings.nodes, probe: probe) {
            for node in 0..<settings.nodes {
                let record = largestRecord(node: node)
                connections.append(HeldHandler())
                _ = held.hold(ObjectIdentifier(connections[node]), formerLeader: nil, now: MonotonicInstant(nanoseconds: 0)) { expired in
                    handler.resume(record, expired)
                }
            }
        }
        withExtendedLifetime((tables, records, held, connections)) {}
        return 0
    }

    private static func measure(_ table: String, entries: Int, probe: ProcessProbe, _ fill: () -> Void) throws {
        let before = try probe.residentBytes()
        fill()
        let after = try probe.residentBytes()
        let grown = after > before ? after - before : 0
        let tenthsMebibytes = grown * 10 / 1_048_576
        print("| \(table) | \(entries) | \(tenthsMebibytes / 10).\(tenthsMebibytes % 10) | \(grown / UInt64(entries)) |")
    }

    /// Fills `node`'s window: the ring with full-resolution samples, then one sample a
    /// minute apart per summary so every minute slot is taken.
    private static func fill(_ tables: inout GatewayTables, node: String, settings: Settings) {
        let ring = settings.limits.samplesPerNode
        let total = ring + settings.limits.minutesPerNode
        for sequence in 1...total {
            let timestamp = UInt64(sequence) * 60_000
            let modules = (0..<settings.modules).map { index in
                ModuleSample(name: moduleName(index, bytes: settings.moduleNameBytes), cpuBasisPoints: 120,
                             rssBytes: 1 << 28, probe: .succeeded(latencyMicroseconds: 900))
            }
            let sample = Sample(timestampMilliseconds: timestamp, hostCPUBusyBasisPoints: 4_000, hostMemoryUsedBytes: 1 << 33,
                                hostMemoryTotalBytes: 1 << 34, roundTripMicroseconds: 300, modules: modules)
            let report = Report(agentIncarnation: 1, highestSeenTerm: 1, firstSequence: UInt64(sequence), samples: [sample])
            _ = tables.ingest(report, from: node, at: MonotonicInstant(nanoseconds: UInt64(sequence)))
        }
    }

    /// A fresh string of exactly `bytes` bytes, as a decoder makes one per report.
    private static func moduleName(_ index: Int, bytes: Int) -> String {
        let stem = "module-\(index)-"
        return String(stem.prefix(bytes)) + String(repeating: "m", count: max(0, bytes - stem.count))
    }

    /// The largest inventory `NodeRecord.invalidity` lets through.
    private static func largestRecord(node: Int) -> NodeRecord {
        let labels = Dictionary(uniqueKeysWithValues: (0..<NodeRecord.labelsMaximum).map { index in
            (padded("label-\(index)-", to: NodeRecord.labelKeyBytesMaximum), padded("value-\(index)-", to: NodeRecord.valueBytesMaximum))
        })
        let modules = Dictionary(uniqueKeysWithValues: (0..<NodeRecord.modulesMaximum).map { index in
            (padded("module-\(index)-", to: 63), padded("version-\(index)-", to: NodeRecord.valueBytesMaximum))
        })
        return NodeRecord(id: "node-\(node)", environment: padded("environment-", to: 63), labels: labels, moduleVersions: modules)
    }

    private static func padded(_ stem: String, to bytes: Int) -> String {
        stem + String(repeating: "x", count: bytes - stem.utf8.count)
    }
}

/// Stands in for a held hello's session handler, which the resume closure reaches.
private final class HeldHandler: Sendable {
    func resume(_ record: NodeRecord, _ expired: Bool) {}
}
