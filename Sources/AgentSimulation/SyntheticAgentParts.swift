import Agent
import Locking
import Telemetry
import Transport

/// The figures a simulated agent reports: a slow random walk of host CPU
/// and memory and one module with a health-probe latency, shaped like a
/// real host's so the leader's encoding and storage work is realistic. With a simulated `host`,
/// every module it runs is sampled too, its latency about 1 ms, or regressed on a bad version.
final class SyntheticSamples: SampleSource {
    private var cpuBasisPoints: UInt16
    private var memoryUsedBytes: UInt64
    private let host: SimulatedModuleHost?
    static let memoryTotalBytes: UInt64 = 16 << 30

    init(seed: UInt64, host: SimulatedModuleHost? = nil) {
        cpuBasisPoints = UInt16(500 + seed % 3_000)
        memoryUsedBytes = 4 << 30
        self.host = host
    }

    func take(roundTripMicroseconds: UInt32?, probes: [String: ProbeResult]) -> Sample? {
        cpuBasisPoints = UInt16(clamping: Int(cpuBasisPoints) + Int.random(in: -100...100)).clamped(to: 100...9_500)
        memoryUsedBytes = memoryUsedBytes &+ UInt64.random(in: 0..<(64 << 20)) &- (32 << 20)
        memoryUsedBytes = min(max(memoryUsedBytes, 1 << 30), Self.memoryTotalBytes - (1 << 30))
        let latency = UInt32.random(in: 800...3_200)
        var modules = [ModuleSample(name: "web", cpuBasisPoints: UInt32(cpuBasisPoints / 4), rssBytes: 180 << 20,
                                    probe: .succeeded(latencyMicroseconds: latency))]
        if let host {
            for (module, version) in host.installs.installedVersions.sorted(by: { $0.key < $1.key }) where module != "web" {
                let regression = host.isBad(version) ? SimulatedInstallSettings.badLatencyMicroseconds : 0
                modules.append(ModuleSample(name: module, cpuBasisPoints: 200, rssBytes: 64 << 20,
                                            probe: .succeeded(latencyMicroseconds: UInt32.random(in: 950...1_050) + regression)))
            }
        }
        return Sample(timestampMilliseconds: WallClock.nowMilliseconds(), hostCPUBusyBasisPoints: cpuBasisPoints,
                      hostMemoryUsedBytes: memoryUsedBytes, hostMemoryTotalBytes: Self.memoryTotalBytes,
                      roundTripMicroseconds: roundTripMicroseconds, modules: modules)
    }
}

/// A simulated agent's highest term, kept in memory: thousands of simulated
/// agents in one process must not serialise on fsyncs that real agents,
/// each on its own host, make in parallel. The load generator's stand-in,
/// never an agent's.
final class VolatileTermRecord: TermRecord {
    private let term = Locked<UInt64>(0)

    var highestTerm: UInt64 { term.withLock { $0 } }

    func raise(to candidate: UInt64) throws(AgentStateError) -> Bool {
        term.withLock { current in
            guard candidate > current else { return false }
            current = candidate
            return true
        }
    }
}

extension Comparable {
    func clamped(to range: ClosedRange<Self>) -> Self { min(max(self, range.lowerBound), range.upperBound) }
}
