import Telemetry
import TestSupport

/// Seeded random reports that satisfy every `ReportLimits` bound and sample invariant, mixing
/// realistic values (small deltas) with extremes (full 64-bit range, so deltas wrap).
struct ReportGenerator {
    static let moduleNamePool = ["api", "worker", "checkout-api", "search", "é-module", "模块", "a",
                                 String(repeating: "n", count: ReportLimits.moduleNameBytesMaximum)]

    var random: SplitMix64

    init(seed: UInt64) {
        random = SplitMix64(seed: seed)
    }

    mutating func report(sampleCountMaximum: Int = 40) -> Report {
        let count = Int.random(in: 0...sampleCountMaximum, using: &random)
        let firstSequence = chance(8) ? UInt64.max - UInt64(max(count, 1) - 1) : UInt64.random(in: 0...1_000_000, using: &random)
        var samples: [Sample] = []
        var previous: Sample?
        for _ in 0..<count {
            let next = sample(after: previous)
            samples.append(next)
            previous = next
        }
        return Report(agentIncarnation: value(), highestSeenTerm: value(), firstSequence: firstSequence, samples: samples)
    }

    mutating func sample(after previous: Sample?) -> Sample {
        var totalBytes = value()
        var timestampMilliseconds = value()
        if let previous, !chance(4) {
            totalBytes = previous.hostMemoryTotalBytes
            timestampMilliseconds = previous.timestampMilliseconds &+ UInt64.random(in: 0...2_000, using: &random)
        }
        var modules: [ModuleSample] = []
        for name in Self.moduleNamePool where chance(2) {
            let cpuBasisPoints = chance(5) ? nil : UInt32.random(in: 0...UInt32.max, using: &random)
            modules.append(ModuleSample(name: name, cpuBasisPoints: cpuBasisPoints,
                                        rssBytes: value(), probe: probe()))
        }
        return Sample(
            timestampMilliseconds: timestampMilliseconds,
            hostCPUBusyBasisPoints: UInt16.random(in: 0...10_000, using: &random),
            hostMemoryUsedBytes: UInt64.random(in: 0...totalBytes, using: &random),
            hostMemoryTotalBytes: totalBytes,
            roundTripMicroseconds: chance(3) ? nil : UInt32.random(in: 0...UInt32.max, using: &random),
            modules: modules.shuffled(using: &random)
        )
    }

    private mutating func probe() -> ProbeResult {
        switch Int.random(in: 0..<3, using: &random) {
        case 0: .notProbed
        case 1: .failed
        default: .succeeded(latencyMicroseconds: chance(2) ? UInt32.max : UInt32.random(in: 0...5_000, using: &random))
        }
    }

    /// Small, large or extreme, so every varint width shows up.
    private mutating func value() -> UInt64 {
        switch Int.random(in: 0..<4, using: &random) {
        case 0: UInt64.random(in: 0...200, using: &random)
        case 1: UInt64.random(in: 0...(1 << 40), using: &random)
        case 2: UInt64.max - UInt64.random(in: 0...3, using: &random)
        default: random.next()
        }
    }

    private mutating func chance(_ oneIn: Int) -> Bool {
        Int.random(in: 0..<oneIn, using: &random) == 0
    }
}
