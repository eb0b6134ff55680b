import Telemetry

/// What an agent on a 24 GiB host with two supervised modules sends at one sample per second:
/// a day into its life, deterministic, with the small jitter real measurements have.
enum TypicalReports {
    static let startMilliseconds: UInt64 = 1_763_900_000_000

    static func report(sampleCount: Int) -> Report {
        Report(agentIncarnation: startMilliseconds, highestSeenTerm: 7, firstSequence: 86_401,
               samples: (0..<sampleCount).map(sample))
    }

    static func sample(_ index: Int) -> Sample {
        let step = UInt64(index)
        return Sample(
            timestampMilliseconds: startMilliseconds + 86_400_000 + 1_000 * step + step % 3,
            hostCPUBusyBasisPoints: UInt16(700 + index * 37 % 300),
            hostMemoryUsedBytes: 438_431_744 + (step * 7 % 50) * 4_096,
            hostMemoryTotalBytes: 25_276_063_744,
            roundTripMicroseconds: UInt32(350 + index % 40),
            modules: [
                ModuleSample(name: "checkout-api", cpuBasisPoints: UInt32(1_200 + index % 100),
                             rssBytes: 52_428_800 + (step % 13) * 4_096,
                             probe: .succeeded(latencyMicroseconds: UInt32(1_800 + index * 13 % 400))),
                ModuleSample(name: "search", cpuBasisPoints: 300, rssBytes: 104_857_600 - (step % 5) * 4_096,
                             probe: .succeeded(latencyMicroseconds: UInt32(900 + index * 7 % 200))),
            ]
        )
    }
}
