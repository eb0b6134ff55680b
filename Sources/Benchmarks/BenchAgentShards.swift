import AgentSimulation
import CommandLineSupport
import FileSystem
import Glibc
import LocalFleet
import Transport

/// `hotswap bench agents`' simulated fleet, split over as few
/// `hotswap bench agent-shard` processes as the descriptor limit allows
/// (each agent holds one connection per coordinator). The shards are the
/// bench's `DevFleet` agents, so it stops them, before the coordinators;
/// this reads and adds up the census each one writes.
struct BenchAgentShards {
    /// Descriptors a shard keeps for everything but agent connections.
    static let descriptorsReserved = 512
    /// A census is a few lines; anything larger is not one.
    static let censusBytesMaximum = 64 << 10

    private let censusPaths: [String]

    /// Starts shards for `count` agents `sim-00001`… (certificates already in
    /// `layout.tlsDirectory`) against `coordinators`' agent ports; `shardArguments` go to every
    /// shard (`bench deploy`'s simulated installs).
    init(count: Int, coordinators: [String], layout: DevLayout, rampPerSecond: Int, fleet: DevFleet,
         shardArguments: [String] = []) throws(DevFailure) {
        let descriptors = Int(OpenFilesLimit.raiseSoftLimitToHard().hard)
        let perShardMaximum = max(1, (descriptors - Self.descriptorsReserved) / max(1, coordinators.count))
        let shards = (count + perShardMaximum - 1) / perShardMaximum
        let perShard = (count + shards - 1) / shards
        var paths: [String] = []
        for (shard, first) in stride(from: 0, to: count, by: perShard).enumerated() {
            let name = "agents-\(shard + 1)"
            let path = "\(layout.directory)/\(name).census"
            unlink(path)
            _ = try fleet.startAgent(name, arguments: [
                "bench", "agent-shard", "--first", "\(first)", "--count", "\(min(perShard, count - first))",
                "--coordinators", coordinators.joined(separator: ","), "--tls-dir", layout.tlsDirectory,
                "--census", path, "--ramp", "\(max(1, rampPerSecond / shards))",
            ] + shardArguments, logPath: layout.logPath(name))
            paths.append(path)
        }
        censusPaths = paths
        StandardOutput.line("\(count) simulated agents in \(shards) process(es) of up to \(perShard) "
                            + "(each may open \(descriptors) descriptors)")
    }

    /// The whole fleet's latest census, nil until every shard has written
    /// one; throws when a census file cannot be read or is not a census.
    func census() throws(DevFailure) -> FleetCensus? {
        var parts: [FleetCensus] = []
        for path in censusPaths {
            let bytes: [UInt8]
            do {
                bytes = try FileReader.read(path, maximumBytes: Self.censusBytesMaximum)
            } catch let .system(_, _, code) where code == ENOENT {
                return nil
            } catch {
                throw DevFailure("cannot read the census \(path): \(error)")
            }
            guard let part = FleetCensus(text: String(decoding: bytes, as: UTF8.self)) else {
                throw DevFailure("\(path) does not hold a fleet census")
            }
            parts.append(part)
        }
        return FleetCensus.total(parts)
    }
}
