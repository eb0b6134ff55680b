import Agent
import Benchmarks

/// `hotswap bench agents --count N[,N...]`: N simulated agents against 3 real
/// coordinators (see `BenchAgents`), and `hotswap bench agent-shard`, one
/// process of that simulated fleet (see `BenchAgentShard`), started by it.
enum BenchAgentsCommand {
    /// The most simulated agents in one run or one shard, below the fleet's bound of 16,384 nodes.
    static let agentsMaximum = 16_000
    static let countsFlag = Flag("count", .text("N[,N...]"), .required,
                                 help: "fleet sizes to measure, each 1 to \(agentsMaximum), comma-separated")
    /// At least 5 s so the window holds several reports of every agent; at most an hour.
    static let secondsFlag = Flag("seconds", .count(5...3_600), .value("20"), help: "the measuring window in seconds")
    static let directoryFlag = Flag("dir", .text("DIR"), .described("a new directory under $TMPDIR"),
                                    help: "where the coordinators' and shards' files go")
    /// Agents started per second; 100,000 starts the largest fleet at once.
    static let rampFlag = Flag("ramp", .count(1...100_000), .value("1000"), help: "agents started per second")

    static let command = Command("bench", summary: "measure a cluster under N simulated agents, the gateway's memory, module switches",
                                 subcommands: [agents, BenchAgentShardCommand.command, BenchGatewayMemoryCommand.command,
                                               BenchModuleSwitchCommand.command, BenchDeployCommand.command])

    static let agents = Command(
        "agents", summary: "N simulated agents against 3 real coordinators; figures in Docs/BENCHMARKS.md",
        flags: [countsFlag, secondsFlag, directoryFlag, rampFlag]
    ) { options in
        try BenchAgents.run(try settings(options))
    }

    static func settings(_ options: CommandLineOptions) throws(UsageError) -> BenchAgentsSettings {
        let counts = try options.required(countsFlag).split(separator: ",", omittingEmptySubsequences: false).map {
            text throws(UsageError) in
            guard let count = Int(text), (1...agentsMaximum).contains(count) else {
                throw UsageError("--count must be whole numbers from 1 to \(agentsMaximum), comma-separated, not '\(text)'")
            }
            return count
        }
        return BenchAgentsSettings(counts: counts, seconds: try options.count(secondsFlag), directory: options.text(directoryFlag),
                                   rampPerSecond: try options.count(rampFlag))
    }
}

/// `hotswap bench agent-shard`: one process of `bench agents`' simulated fleet, which starts it.
enum BenchAgentShardCommand {
    static let firstFlag = Flag("first", .count(0...(BenchAgentsCommand.agentsMaximum - 1)), .value("0"),
                                help: "the number of the shard's first agent")
    static let countFlag = Flag("count", .count(1...BenchAgentsCommand.agentsMaximum), .required, help: "agents in this shard")
    static let coordinatorsFlag = Flag("coordinators", .text("HOST:PORT,..."), .required, help: "the coordinators' agent ports")
    static let tlsDirectoryFlag = Flag("tls-dir", .text("DIR"), .required, help: "the CA and the agents' certificates")
    static let censusFlag = Flag("census", .text("FILE"), .required, help: "where the shard writes its census")
    static let simulateInstallsFlag = Flag("simulate-installs", .none, help: "answer module orders as simulated hosts")
    static let installDelayFlag = Flag("install-delay-ms", .count(0...60_000), .value("0"),
                                       help: "with --simulate-installs: how long each install takes")
    static let badVersionFlag = Flag("bad-version", .text("VERSION"), .described("none"),
                                     help: "with --simulate-installs: the version whose probe latency regresses")

    static let command = Command(
        "agent-shard", summary: "one process of the simulated fleet (started by 'hotswap bench agents')",
        flags: [firstFlag, countFlag, coordinatorsFlag, tlsDirectoryFlag, censusFlag, BenchAgentsCommand.rampFlag,
                simulateInstallsFlag, installDelayFlag, badVersionFlag]
    ) { options in
        let coordinators = try CoordinatorAddress.parseList(try options.required(coordinatorsFlag))
        let installs = options.isGiven(simulateInstallsFlag)
            ? (installDelay: Duration.milliseconds(try options.count(installDelayFlag)), badVersion: options.text(badVersionFlag)) : nil
        return try BenchAgentShard.run(first: try options.count(firstFlag), count: try options.count(countFlag),
                                       rampPerSecond: try options.count(BenchAgentsCommand.rampFlag), coordinators: coordinators,
                                       tlsDirectory: try options.required(tlsDirectoryFlag),
                                       censusPath: try options.required(censusFlag), installs: installs)
    }
}
