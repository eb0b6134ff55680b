import Gateway
import Primitives
import Telemetry
import Testing

struct NodeWindowTests {
    static func sample(_ second: UInt64, cpu: UInt16 = 1_000) -> Sample {
        Sample(timestampMilliseconds: 1_800_000_000_000 + second * 1_000, hostCPUBusyBasisPoints: cpu,
               hostMemoryUsedBytes: 4 << 30, hostMemoryTotalBytes: 16 << 30)
    }

    static func report(incarnation: UInt64 = 1, first: UInt64, seconds: ClosedRange<UInt64>) -> Report {
        Report(agentIncarnation: incarnation, highestSeenTerm: 3, firstSequence: first, samples: seconds.map { sample($0) })
    }

    static func instant(_ nanoseconds: UInt64) -> MonotonicInstant {
        MonotonicInstant(nanoseconds: nanoseconds)
    }

    @Test func resentSamplesAreStoredOnceAndTheAckCoversThem() {
        var window = NodeWindow(capacity: 10, summaryCapacity: 5)
        #expect(window.ingest(Self.report(first: 1, seconds: 1...3), at: Self.instant(10)) == 3)
        #expect(window.ingest(Self.report(first: 2, seconds: 2...5), at: Self.instant(20)) == 5, "2 and 3 again, then 4 and 5")
        #expect(window.sampleCount == 5)
        #expect(window.samples.map(\.timestampMilliseconds) == (1...5).map { Self.sample($0).timestampMilliseconds })
        #expect(window.lastReportAt == Self.instant(20))
    }

    @Test func aNewIncarnationRestartsTheSequenceAndKeepsWhatWasHeld() {
        var window = NodeWindow(capacity: 10, summaryCapacity: 5)
        _ = window.ingest(Self.report(incarnation: 1, first: 1, seconds: 1...4), at: Self.instant(1))
        #expect(window.acknowledgedSequence(incarnation: 2) == 0)
        #expect(window.ingest(Self.report(incarnation: 2, first: 1, seconds: 10...11), at: Self.instant(2)) == 2)
        #expect(window.sampleCount == 6)
        #expect(window.acknowledgedSequence(incarnation: 2) == 2)
    }

    @Test func theRingStaysAtCapacityAndOlderSamplesFoldIntoBoundedMinutes() {
        var window = NodeWindow(capacity: 30, summaryCapacity: 3)
        for second in UInt64(0)..<600 {
            _ = window.ingest(Report(agentIncarnation: 1, highestSeenTerm: 1, firstSequence: second + 1,
                                     samples: [Self.sample(second, cpu: UInt16(second % 100))]), at: Self.instant(second))
        }
        #expect(window.sampleCount == 30)
        #expect(window.latest?.timestampMilliseconds == Self.sample(599).timestampMilliseconds)
        #expect(window.summaries.count == 3, "only the newest minutes are kept")
        #expect(window.summaries.map(\.sampleCount) == [60, 60, 30], "seconds 420-569 were folded; 570-599 are in the ring")
        #expect(window.summaries.last?.hostCPUBusyBasisPointsMaximum == 69)
    }

    @Test func tablesRefuseNewNodesBeyondTheirBound() {
        var limits = GatewayTables.Limits()
        limits.nodesMaximum = 2
        var tables = GatewayTables(limits: limits)
        #expect(tables.ingest(Self.report(first: 1, seconds: 1...1), from: "a", at: Self.instant(1)) == 1)
        #expect(tables.ingest(Self.report(first: 1, seconds: 1...1), from: "b", at: Self.instant(1)) == 1)
        #expect(tables.ingest(Self.report(first: 1, seconds: 1...1), from: "c", at: Self.instant(1)) == nil)
        #expect(tables.ingest(Self.report(first: 2, seconds: 2...2), from: "a", at: Self.instant(2)) == 2, "known nodes still report")
        #expect(tables.windows.count == 2)
    }
}
