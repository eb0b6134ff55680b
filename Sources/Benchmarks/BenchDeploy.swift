import CommandLineSupport
import FoundationEssentials
import LocalFleet

/// What `hotswap bench deploy` was asked for.
public struct BenchDeploySettings {
    public var runs: Int
    public var count: Int
    public var installDelayMilliseconds: Int
    public var installConcurrency: Int
    public var directory: String?
    public var rampPerSecond: Int

    public init(runs: Int, count: Int, installDelayMilliseconds: Int, installConcurrency: Int, directory: String?,
                rampPerSecond: Int) {
        self.runs = runs
        self.count = count
        self.installDelayMilliseconds = installDelayMilliseconds
        self.installConcurrency = installConcurrency
        self.directory = directory
        self.rampPerSecond = rampPerSecond
    }
}

/// `hotswap bench deploy`: a real three-coordinator cluster of this binary, N simulated agents
/// whose hosts answer module orders (`SimulatedModuleHost`: instant or fixed-delay installs, one
/// version whose latency regresses), a tiny module uploaded and installed everywhere; then, per
/// run, a 4-wave canary of a good version with a short gate, whose orchestration overhead it
/// measures, and a deployment of the bad version to every node, which the gate fails and the
/// leader rolls back, whose rollback time it measures (`DeploymentTimes` defines both). Prints
/// each run, then the median and the worst. A benchmark: it asserts nothing.
public enum BenchDeploy {
    public static func run(_ settings: BenchDeploySettings) throws -> Int32 {
        let root = try settings.directory ?? DevWorkspace.makeTemporaryDirectory()
        StandardOutput.line("hotswap bench deploy: \(settings.count) simulated agents, \(settings.runs) runs, installs taking "
                            + "\(settings.installDelayMilliseconds) ms, install concurrency \(settings.installConcurrency); "
                            + "files in \(root)")
        let figures = try BenchDeployRun(directory: "\(root)/run", settings: settings).measure()
        StandardOutput.line(summary("orchestration overhead (canary 10/30/60/100)", figures.overheads))
        StandardOutput.line(summary("poll stretch (the driver's cadence inside the gate's waits)", figures.pollStretches))
        StandardOutput.line(summary("rollback, fail decision → every node back (record)", figures.rollbacks))
        StandardOutput.line(summary("rollback, fail decision → seen rolled_back by this bench", figures.rollbacksSeen))
        return 0
    }

    static func summary(_ what: String, _ values: [UInt64]) -> String {
        let sorted = values.sorted()
        guard let worst = sorted.last else { return "\(what): no figures" }
        let middle = sorted.count / 2
        let median = sorted.count % 2 == 1 ? Double(sorted[middle]) : Double(sorted[middle - 1] + sorted[middle]) / 2
        return "\(what): median \(median / 1_000) s, worst \(Double(worst) / 1_000) s over \(sorted.count) runs "
            + "(\(sorted.map { "\(Double($0) / 1_000)" }.joined(separator: ", ")))"
    }
}
