import Agent
import Glibc
import Transport

/// `hotswap bench agents --count N[,N...]`: a real three-coordinator cluster
/// of this binary and N simulated agents in this process (each the real
/// agent session over its own mutual-TLS connection and certificate,
/// reporting every second). For each N it measures the leader's CPU share
/// and RSS, report ingest time (p99), and, after `kill -9` of the leader,
/// how long until 99 % and all agents are welcomed by the new leader, and
/// the most nodes it counts suspect or down meanwhile. A
/// benchmark: it prints figures and asserts nothing.
enum BenchAgentsCommand {
    static let usage = """
        usage: hotswap bench agents --count N[,N...] [--seconds 20] [--dir DIR] [--ramp 1000]
               (N simulated agents against 3 real coordinators; figures in Docs/BENCHMARKS.md)
        \(BenchAgentShardCommand.usage)
        """

    struct Settings {
        var counts: [Int]
        var seconds: Int
        var directory: String?
        var rampPerSecond: Int

        init(_ arguments: ArraySlice<String>) throws(UsageError) {
            guard arguments.first == "agents" else { throw UsageError("bench needs 'agents'") }
            let options = try CommandLineOptions(arguments.dropFirst(), accepting: ["count", "seconds", "dir", "ramp"])
            counts = try options.required("count").split(separator: ",").map { text throws(UsageError) in
                guard let count = Int(text), (1...16_000).contains(count) else {
                    throw UsageError("--count takes numbers from 1 to 16000, comma-separated")
                }
                return count
            }
            guard let seconds = Int(options.optional("seconds") ?? "20"), seconds >= 5 else {
                throw UsageError("--seconds must be a whole number of at least 5")
            }
            guard let ramp = Int(options.optional("ramp") ?? "1000"), ramp >= 1 else {
                throw UsageError("--ramp must be a positive number of agents per second")
            }
            self.seconds = seconds
            rampPerSecond = ramp
            directory = options.optional("dir")
        }
    }

    static func run(_ arguments: ArraySlice<String>) throws -> Int32 {
        if arguments.first == "agent-shard" { return try BenchAgentShardCommand.run(arguments.dropFirst()) }
        let settings = try Settings(arguments)
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
