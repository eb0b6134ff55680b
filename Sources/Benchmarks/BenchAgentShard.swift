import Agent
import AgentSimulation
import CommandLineSupport
import FileSystem
import Glibc
import LocalFleet
import Transport

/// One process of `hotswap bench agents`' simulated fleet
/// (`hotswap bench agent-shard`). A process may hold only so many
/// descriptors (20,000 on some machines, not raisable) and every simulated
/// agent holds one per coordinator, so the bench splits a large fleet over
/// several of these. It runs agents `first` to `first + count - 1` until
/// SIGTERM and writes where they stand (`FleetCensus`) to `censusPath` every
/// 100 ms.
public enum BenchAgentShard {
    static let censusInterval: Duration = .milliseconds(100)

    /// With `installs`, its agents answer module orders as simulated hosts (`bench deploy`): each
    /// install takes `installDelay`, and `badVersion` regresses.
    public static func run(first: Int, count: Int, rampPerSecond: Int, coordinators: [CoordinatorAddress],
                           tlsDirectory: String, censusPath: String,
                           installs: (installDelay: Duration, badVersion: String?)? = nil) throws -> Int32 {
        OpenFilesLimit.raiseSoftLimitToHard()
        let signals = DevSignals()
        defer { signals.cancel() }
        let fleet = try SimulatedAgentFleet(loops: 2)
        defer { fleet.stop() }
        try fleet.start(names: SimulatedAgentFleet.names(first..<(first + count)), coordinators: coordinators,
                        tlsDirectory: tlsDirectory, interval: .seconds(1), perSecond: rampPerSecond,
                        installs: installs.map { SimulatedInstallSettings(installDelay: $0.installDelay, badVersion: $0.badVersion) }
        ) { signals.received > 0 }
        while !signals.pause(censusInterval) {
            try write(fleet.census().text, to: censusPath)
        }
        return 0
    }

    /// Replaces `path` whole (a reader never sees half a census).
    private static func write(_ text: String, to path: String) throws(DevFailure) {
        let temporary = path + ".tmp"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw DevFailure("cannot write \(temporary): \(SystemErrorText.message(errno))") }
        do {
            try DescriptorIO.writeAll(descriptor, Array(text.utf8), path: temporary)
        } catch {
            close(descriptor)
            throw DevFailure("cannot write \(path): \(error.plainReason)")
        }
        close(descriptor)
        guard rename(temporary, path) == 0 else {
            throw DevFailure("cannot write \(path): \(SystemErrorText.message(errno))")
        }
    }
}
