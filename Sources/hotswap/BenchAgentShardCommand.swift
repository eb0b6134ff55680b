import Agent
import AgentSimulation
import CommandLineSupport
import Glibc
import Transport

/// `hotswap bench agent-shard`: one process of `hotswap bench agents`'
/// simulated fleet. A process may hold only so many descriptors (20,000 on
/// some machines, not raisable) and every simulated agent holds one per
/// coordinator, so the bench splits a large fleet over several of these.
/// It runs agents `--first` to `--first + --count - 1` until SIGTERM and
/// writes where they stand (`FleetCensus`) to `--census` every 100 ms.
enum BenchAgentShardCommand {
    static let usage = """
        usage: hotswap bench agent-shard --first I --count N --coordinators HOST:PORT,... --tls-dir DIR
               --census FILE [--ramp 1000]   (started by 'hotswap bench agents')
        """
    static let censusInterval: Duration = .milliseconds(100)

    static func run(_ arguments: ArraySlice<String>) throws -> Int32 {
        let options = try CommandLineOptions(arguments, accepting: ["first", "count", "coordinators", "tls-dir", "census",
                                                                    "ramp"])
        let first = try options.wholeNumber("first", default: 0, range: 0...16_000)
        let count = try options.wholeNumber("count", default: 0, range: 1...16_000)
        let ramp = try options.wholeNumber("ramp", default: 1_000, range: 1...100_000)
        let coordinators = try CoordinatorAddress.parseList(try options.required("coordinators"))
        let tlsDirectory = try options.required("tls-dir")
        let censusPath = try options.required("census")
        OpenFilesLimit.raiseSoftLimitToHard()

        let signals = DevSignals()
        defer { signals.cancel() }
        let fleet = try SimulatedAgentFleet(loops: 2)
        defer { fleet.stop() }
        try fleet.start(names: SimulatedAgentFleet.names(first..<(first + count)), coordinators: coordinators,
                        tlsDirectory: tlsDirectory, interval: .seconds(1), perSecond: ramp) { signals.received > 0 }
        while !signals.pause(censusInterval) {
            try write(fleet.census().text, to: censusPath)
        }
        return 0
    }

    /// Replaces `path` whole (a reader never sees half a census).
    private static func write(_ text: String, to path: String) throws(DevFailure) {
        let temporary = path + ".tmp"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw DevFailure("cannot write \(temporary): \(String(cString: strerror(errno)))") }
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
        close(descriptor)
        guard written == bytes.count, rename(temporary, path) == 0 else {
            throw DevFailure("cannot write \(path): \(String(cString: strerror(errno)))")
        }
    }
}
