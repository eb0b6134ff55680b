import Testing
import TestSupport
@testable import Transport

@Suite struct OutboundQueueTests {
    /// Writes the whole head chunk and returns what was written.
    private func takeHead(_ queue: inout OutboundQueue) -> [UInt8] {
        var taken: [UInt8] = []
        _ = queue.writeHead { bytes in
            taken = Array(bytes)
            return bytes.count
        }
        return taken
    }

    @Test func smallAppendsAreCoalescedIntoOneWrite() {
        var queue = OutboundQueue()
        var expected: [UInt8] = []
        for index in 0..<100 {
            let piece = [UInt8](repeating: UInt8(index), count: 10)
            queue.append(piece)
            expected += piece
        }
        #expect(queue.byteCount == 1_000)
        #expect(takeHead(&queue) == expected)
        #expect(queue.isEmpty)
    }

    @Test func coalescingStopsAtTheLimit() {
        var queue = OutboundQueue()
        let half = OutboundQueue.coalesceLimitBytes / 2 + 1
        queue.append([UInt8](repeating: 1, count: half))
        queue.append([UInt8](repeating: 2, count: half))
        #expect(takeHead(&queue) == [UInt8](repeating: 1, count: half))
        #expect(takeHead(&queue) == [UInt8](repeating: 2, count: half))
        #expect(queue.isEmpty)
    }

    @Test func partialWriteLeavesTheRestAtTheHead() {
        var queue = OutboundQueue()
        queue.append(Array(0..<10) as [UInt8])
        let written = queue.writeHead { _ in 3 }
        #expect(written == 3)
        #expect(queue.byteCount == 7)
        #expect(takeHead(&queue) == Array(3..<10))
        #expect(queue.isEmpty)
    }

    @Test func aRefusedWriteChangesNothing() {
        var queue = OutboundQueue()
        queue.append([1, 2, 3] as [UInt8])
        #expect(queue.writeHead { _ in 0 } == 0)
        #expect(queue.writeHead { _ in -1 } == -1)
        #expect(queue.byteCount == 3)
        #expect(takeHead(&queue) == [1, 2, 3])
    }

    @Test func appendingAfterAPartialWriteKeepsByteOrder() {
        var queue = OutboundQueue()
        queue.append([1, 2, 3, 4] as [UInt8])
        _ = queue.writeHead { _ in 2 }
        queue.append([5, 6] as [UInt8])
        var drained: [UInt8] = []
        while !queue.isEmpty { drained += takeHead(&queue) }
        #expect(drained == [3, 4, 5, 6])
    }

    @Test func emptyAppendAndEmptyQueueWriteNothing() {
        var queue = OutboundQueue()
        queue.append([UInt8]())
        #expect(queue.isEmpty)
        var called = false
        #expect(queue.writeHead { _ in called = true; return 0 } == 0)
        #expect(!called)
    }

    @Test func removeAllForgetsEverything() {
        var queue = OutboundQueue()
        queue.append([UInt8](repeating: 9, count: 40_000))
        _ = queue.writeHead { _ in 5 }
        queue.removeAll()
        #expect(queue.isEmpty)
        #expect(queue.byteCount == 0)
        queue.append([7] as [UInt8])
        #expect(takeHead(&queue) == [7])
    }

    /// Random appends and random partial writes: the bytes come out exactly as
    /// they went in, and `byteCount` always equals appended minus written.
    @Test(arguments: [11, 12, 13, 14, 15, 16] as [UInt64])
    func bytesLeaveInTheOrderTheyCameUnderRandomPartialWrites(seed: UInt64) {
        var generator = SplitMix64(seed: seed)
        var queue = OutboundQueue()
        var appended: [UInt8] = []
        var written: [UInt8] = []
        var nextByte: UInt8 = 0
        for _ in 0..<1_000 {
            if generator.next() % 2 == 0 {
                let count = Int(generator.next() % 3 == 0 ? generator.next() % 40_000 : generator.next() % 300)
                var piece: [UInt8] = []
                for _ in 0..<count {
                    piece.append(nextByte)
                    nextByte &+= 1
                }
                queue.append(piece)
                appended += piece
            } else {
                let limit = Int(generator.next() % 20_000)
                _ = queue.writeHead { bytes in
                    #expect(bytes.count <= max(OutboundQueue.coalesceLimitBytes, 40_000))
                    let count = min(limit, bytes.count)
                    written += bytes.prefix(count)
                    return count
                }
            }
            #expect(queue.byteCount == appended.count - written.count, "seed \(seed)")
        }
        while !queue.isEmpty { written += takeHead(&queue) }
        #expect(written == appended, "seed \(seed)")
    }
}
