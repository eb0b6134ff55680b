import Agent
import Benchmarks

/// `hotswap bench agents --count N[,N...]`: N simulated agents against 3 real
/// coordinators (see `BenchAgents`), and `hotswap bench agent-shard`, one
/// process of that simulated fleet (see `BenchAgentShard`), started by it.
enum BenchAgentsCommand {
    static let usage = """
        usage: hotswap bench agents --count N[,N...] [--seconds 20] [--dir DIR] [--ramp 1000]
               (N simulated agents against 3 real coordinators; figures in Docs/BENCHMARKS.md)
        \(shardUsage)
        """
    static let shardUsage = """
        usage: hotswap bench agent-shard --first I --count N --coordinators HOST:PORT,... --tls-dir DIR
               --census FILE [--ramp 1000]   (started by 'hotswap bench agents')
        """

    static func run(_ arguments: ArraySlice<String>) throws -> Int32 {
        if arguments.first == "agent-shard" { return try runShard(arguments.dropFirst()) }
        return try BenchAgents.run(try settings(arguments))
    }

    static func settings(_ arguments: ArraySlice<String>) throws(UsageError) -> BenchAgentsSettings {
        guard arguments.first == "agents" else { throw UsageError("bench needs 'agents'") }
        let options = try CommandLineOptions(arguments.dropFirst(), accepting: ["count", "seconds", "dir", "ramp"])
        let counts = try options.required("count").split(separator: ",").map { text throws(UsageError) in
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
        return BenchAgentsSettings(counts: counts, seconds: seconds, directory: options.optional("dir"), rampPerSecond: ramp)
    }

    private static func runShard(_ arguments: ArraySlice<String>) throws -> Int32 {
        let options = try CommandLineOptions(arguments, accepting: ["first", "count", "coordinators", "tls-dir", "census",
                                                                    "ramp"])
        let first = try options.wholeNumber("first", default: 0, range: 0...16_000)
        let count = try options.wholeNumber("count", default: 0, range: 1...16_000)
        let ramp = try options.wholeNumber("ramp", default: 1_000, range: 1...100_000)
        let coordinators = try CoordinatorAddress.parseList(try options.required("coordinators"))
        return try BenchAgentShard.run(first: first, count: count, rampPerSecond: ramp, coordinators: coordinators,
                                       tlsDirectory: try options.required("tls-dir"), censusPath: try options.required("census"))
    }
}
