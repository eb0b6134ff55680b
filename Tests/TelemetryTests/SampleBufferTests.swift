import Telemetry
import Testing
import TestSupport

struct SampleBufferTests {
    static func sample(_ marker: UInt64) -> Sample {
        Sample(timestampMilliseconds: marker, hostCPUBusyBasisPoints: 0, hostMemoryUsedBytes: 0, hostMemoryTotalBytes: 0)
    }

    static func markers(_ batch: SampleBatch) -> [UInt64] { batch.samples.map(\.timestampMilliseconds) }

    @Test func sequencesStartAtOneAndFollowTheOrderOfAppending() {
        var buffer = SampleBuffer(capacity: 4)
        #expect(buffer.append(Self.sample(10)) == 1)
        #expect(buffer.append(Self.sample(20)) == 2)
        #expect(buffer.pending(maximum: 10) == SampleBatch(firstSequence: 1, samples: [Self.sample(10), Self.sample(20)]))
        #expect(buffer.nextSequence == 3)
    }

    @Test func pendingGivesTheOldestUpToTheMaximumAndKeepsThem() {
        var buffer = SampleBuffer(capacity: 8)
        for marker in UInt64(1)...5 { buffer.append(Self.sample(marker)) }
        #expect(Self.markers(buffer.pending(maximum: 2)) == [1, 2])
        #expect(Self.markers(buffer.pending(maximum: 0)).isEmpty)
        #expect(Self.markers(buffer.pending(maximum: -1)).isEmpty)
        #expect(buffer.count == 5)
    }

    @Test func anAcknowledgementForgetsEverythingUpToItsSequence() {
        var buffer = SampleBuffer(capacity: 8)
        for marker in UInt64(1)...5 { buffer.append(Self.sample(marker)) }
        #expect(buffer.acknowledge(upTo: 3) == 3)
        #expect(buffer.pending(maximum: 10) == SampleBatch(firstSequence: 4, samples: [Self.sample(4), Self.sample(5)]))
    }

    @Test func aStaleOrRepeatedAcknowledgementChangesNothing() {
        var buffer = SampleBuffer(capacity: 8)
        for marker in UInt64(1)...5 { buffer.append(Self.sample(marker)) }
        buffer.acknowledge(upTo: 3)
        #expect(buffer.acknowledge(upTo: 3) == 0)
        #expect(buffer.acknowledge(upTo: 0) == 0)
        #expect(buffer.firstSequence == 4)
        #expect(buffer.count == 2)
    }

    @Test func anAcknowledgementPastTheNewestForgetsAllButSkipsNoSequence() {
        var buffer = SampleBuffer(capacity: 8)
        for marker in UInt64(1)...3 { buffer.append(Self.sample(marker)) }
        #expect(buffer.acknowledge(upTo: 1_000) == 3)
        #expect(buffer.count == 0)
        #expect(buffer.append(Self.sample(4)) == 4)
        #expect(buffer.pending(maximum: 10) == SampleBatch(firstSequence: 4, samples: [Self.sample(4)]))
        #expect(SampleBuffer(capacity: 1).pending(maximum: 5) == SampleBatch(firstSequence: 1, samples: []))
    }

    @Test func aFullBufferDropsTheOldestAndCountsIt() {
        var buffer = SampleBuffer(capacity: 3)
        for marker in UInt64(1)...7 { buffer.append(Self.sample(marker)) }
        #expect(buffer.count == 3)
        #expect(buffer.droppedCount == 4)
        #expect(buffer.pending(maximum: 10) == SampleBatch(firstSequence: 5, samples: [Self.sample(5), Self.sample(6), Self.sample(7)]))
    }

    /// Random appends, acknowledgements and reads against a plain array; the buffer must agree
    /// with it and never hold more than its capacity.
    @Test(arguments: [UInt64(1), 2, 3, 0xBEEF])
    func agreesWithAnUnboundedModelTrimmedToCapacity(seed: UInt64) {
        var random = SplitMix64(seed: seed)
        let capacity = Int.random(in: 1...16, using: &random)
        var buffer = SampleBuffer(capacity: capacity)
        var model: [(sequence: UInt64, sample: Sample)] = []
        var nextSequence: UInt64 = 1
        var dropped: UInt64 = 0
        for step in 0..<3_000 {
            switch Int.random(in: 0..<10, using: &random) {
            case 0..<6:
                let sample = Self.sample(random.next())
                #expect(buffer.append(sample) == nextSequence)
                model.append((nextSequence, sample))
                nextSequence += 1
                if model.count > capacity {
                    model.removeFirst()
                    dropped += 1
                }
            case 6..<8:
                let back = UInt64.random(in: 0...UInt64(capacity + 2), using: &random)
                let upTo = nextSequence > back ? nextSequence - back : 0
                let expected = model.filter { $0.sequence <= upTo }.count
                #expect(buffer.acknowledge(upTo: upTo) == expected, "seed \(seed) step \(step)")
                model.removeAll { $0.sequence <= upTo }
            default:
                let maximum = Int.random(in: 0...(capacity + 2), using: &random)
                let batch = buffer.pending(maximum: maximum)
                #expect(batch.samples == model.prefix(maximum).map(\.sample), "seed \(seed) step \(step)")
                #expect(batch.firstSequence == model.first?.sequence ?? nextSequence)
            }
            #expect(buffer.count == model.count)
            #expect(buffer.count <= capacity)
            #expect(buffer.droppedCount == dropped)
            #expect(buffer.nextSequence == nextSequence)
        }
    }
}
