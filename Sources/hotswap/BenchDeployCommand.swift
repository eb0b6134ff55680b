import Benchmarks
import CommandLineSupport

/// `hotswap bench deploy`: deployments over simulated agents against 3 real coordinators (see `BenchDeploy`).
enum BenchDeployCommand {
    static let runsFlag = Flag("runs", .count(1...50), .value("5"), help: "canary and rollback runs to measure")
    static let countFlag = Flag("count", .count(1...1_000), .value("100"), help: "simulated agents")
    static let delayFlag = Flag("install-delay-ms", .count(0...60_000), .value("0"), help: "how long each simulated install takes")
    static let concurrencyFlag = Flag("install-concurrency", .count(1...1_024), .value("16"),
                                      help: "the deployments' install bound (the API's default is 16)")

    static let command = Command(
        "deploy", summary: "deployment overhead and rollback time over simulated agents; figures in Docs/BENCHMARKS.md",
        flags: [runsFlag, countFlag, delayFlag, concurrencyFlag, BenchAgentsCommand.directoryFlag, BenchAgentsCommand.rampFlag]
    ) { options in
        try BenchDeploy.run(BenchDeploySettings(
            runs: try options.count(runsFlag), count: try options.count(countFlag),
            installDelayMilliseconds: try options.count(delayFlag), installConcurrency: try options.count(concurrencyFlag),
            directory: options.text(BenchAgentsCommand.directoryFlag), rampPerSecond: try options.count(BenchAgentsCommand.rampFlag)))
    }
}
