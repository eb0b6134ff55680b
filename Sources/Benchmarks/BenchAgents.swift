import CommandLineSupport
import Glibc
import LocalFleet
import Transport

/// What `hotswap bench agents` was asked for: fleet sizes, the measuring
/// window, where its files go and how fast agents are started.
public struct BenchAgentsSettings {
    public var counts: [Int]
    public var seconds: Int
    public var directory: String?
    public var rampPerSecond: Int

    public init(counts: [Int], seconds: Int, directory: String?, rampPerSecond: Int) {
        self.counts = counts
        self.seconds = seconds
        self.directory = directory
        self.rampPerSecond = rampPerSecond
    }
}

/// `hotswap bench agents`: a real three-coordinator cluster of this binary
/// and N simulated agents (each the real agent session over its own
/// mutual-TLS connection and certificate, reporting every second). For each
/// N it measures the leader's CPU share and RSS, report ingest time (p99),
/// and, after `kill -9` of the leader, how long until 99 % and all agents are
/// welcomed by the new leader, and the most nodes it counts suspect or down
/// meanwhile. A benchmark: it prints figures and asserts nothing.
public enum BenchAgents {
    /// Measures every count in `settings`, printing the table after each.
    public static func run(_ settings: BenchAgentsSettings) throws -> Int32 {
        // Every coordinator holds a connection per simulated agent (its session
        // or a standby), and the coordinators and agent shards started from
        // here inherit the limit.
        OpenFilesLimit.raise(toAtLeast: UInt64((settings.counts.max() ?? 0) + 4_096))
        let root = try settings.directory ?? DevWorkspace.makeTemporaryDirectory()
        StandardOutput.line("hotswap bench agents: counts \(settings.counts.map(String.init).joined(separator: ", ")); "
              + "window \(settings.seconds) s; files in \(root)")
        var rows: [BenchAgentsRun.Figures] = []
        for count in settings.counts {
            let run = BenchAgentsRun(directory: "\(root)/run-\(count)", count: count, settings: settings)
            rows.append(try run.measure())
            StandardOutput.line(BenchAgentsRun.Figures.header)
            for row in rows { StandardOutput.line(row.line) }
        }
        return 0
    }
}
