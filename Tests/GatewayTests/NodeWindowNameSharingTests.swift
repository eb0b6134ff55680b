import Gateway
import Primitives
import Telemetry
import Testing

/// `NodeWindow` stores one copy of each module name however many samples hold it, returns
/// every name with the bytes it was reported with, and keeps no name the ring no longer holds.
struct NodeWindowNameSharingTests {
    /// A name over 15 UTF-8 bytes, so it lives on the heap; built anew on every call, as a
    /// decoded report builds its names.
    static func longName(_ stem: String) -> String {
        stem + String(repeating: "-", count: 20)
    }

    static func sample(_ second: UInt64, names: [String]) -> Sample {
        Sample(timestampMilliseconds: 1_800_000_000_000 + second * 1_000, hostCPUBusyBasisPoints: 100,
               hostMemoryUsedBytes: 1 << 30, hostMemoryTotalBytes: 1 << 32,
               modules: names.enumerated().map { index, name in
                   ModuleSample(name: name, cpuBasisPoints: UInt32(index), rssBytes: second << 20,
                                probe: .succeeded(latencyMicroseconds: UInt32(second)))
               })
    }

    /// Ingests one report of one sample, at sequence `second + 1`.
    static func ingest(_ window: inout NodeWindow, second: UInt64, names: [String]) -> Sample {
        let sample = sample(second, names: names)
        _ = window.ingest(Report(agentIncarnation: 1, highestSeenTerm: 1, firstSequence: second + 1, samples: [sample]),
                          at: MonotonicInstant(nanoseconds: second))
        return sample
    }

    /// Where a heap-stored name's bytes are: equal for names sharing storage.
    static func storage(of name: String) -> UInt {
        var copy = name
        return copy.withUTF8 { UInt(bitPattern: $0.baseAddress) }
    }

    static func distinctStorages(in window: NodeWindow) -> Int {
        Set(window.samples.flatMap { $0.modules.map { storage(of: $0.name) } }).count
    }

    @Test func storedSamplesEqualWhatWasReportedByteForByte() {
        let precomposed = "caf\u{E9}-module-with-a-long-name"
        let decomposed = "cafe\u{301}-module-with-a-long-name"
        #expect(precomposed == decomposed, "Swift's == equates them; their bytes differ")
        let reports: [[String]] = [
            [Self.longName("api"), Self.longName("worker"), "short", precomposed],
            [Self.longName("worker"), Self.longName("api"), "short", decomposed],
            [Self.longName("api"), decomposed, Self.longName("cache")],
            [],
            [Self.longName("api"), "short", Self.longName("worker"), precomposed, Self.longName("ε-模块")],
        ]
        var window = NodeWindow(capacity: 10, summaryCapacity: 2)
        let ingested = reports.enumerated().map { second, names in
            Self.ingest(&window, second: UInt64(second), names: names)
        }
        #expect(window.samples == ingested)
        #expect(window.samples.map { $0.modules.map { Array($0.name.utf8) } }
                == ingested.map { $0.modules.map { Array($0.name.utf8) } })
    }

    @Test func samplesWithTheSameNamesShareOneCopyOfEach() {
        var window = NodeWindow(capacity: 50, summaryCapacity: 2)
        for second in UInt64(0)..<120 {
            let names = (0..<8).map { Self.longName("module-\($0)") }
            _ = Self.ingest(&window, second: second, names: second.isMultiple(of: 2) ? names : names.reversed())
        }
        #expect(window.sampleCount == 50)
        #expect(Self.distinctStorages(in: window) == 8)
    }

    @Test func namesThatChurnAreHeldOnlyAsLongAsTheRingHoldsThem() {
        let capacity = 20
        let renamedEvery = 5
        let modules = 4
        var window = NodeWindow(capacity: capacity, summaryCapacity: 3)
        var second: UInt64 = 0
        var held: [Int] = []
        for generation in 0..<200 {
            for _ in 0..<renamedEvery {
                let names = (0..<modules).map { Self.longName("generation-\(generation)-module-\($0)") }
                _ = Self.ingest(&window, second: second, names: names)
                second += 1
            }
            held.append(Self.distinctStorages(in: window))
        }
        #expect(held == (0..<200).map { min($0 + 1, capacity / renamedEvery) * modules },
                "one copy per name per generation the ring still holds")
        let stable = (0..<modules).map { Self.longName("stable-module-\($0)") }
        for _ in 0..<capacity {
            _ = Self.ingest(&window, second: second, names: stable)
            second += 1
        }
        #expect(Self.distinctStorages(in: window) == modules, "every churned name has left with its samples")
        #expect(window.latest?.modules.map(\.name) == stable)
    }
}
