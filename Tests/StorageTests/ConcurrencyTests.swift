import Dispatch
import Storage
import Testing
import TestSupport

struct ConcurrencyTests {
    /// Also run under `--sanitize=thread`: the log's state crosses threads only behind its lock.
    @Test func appendsAndReadsFromManyThreadsAreSerialized() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let (log, _) = try WriteAheadLog.open(directory: directory.path, segmentSizeBytes: Fixtures.smallSegmentBytes)
        let entryCount: UInt64 = 100
        let hardStatesPerThread: UInt64 = 30
        let threadCount = 4
        let outcomes = DispatchQueue.concurrentMap(threadCount) { thread -> Bool in
            if thread == 0 {
                for index in 1...entryCount {
                    guard (try? log.append(entries: [Fixtures.entry(index, term: 1)], hardState: nil)) != nil else { return false }
                }
                return true
            }
            var previous: UInt64 = 0
            for commit in 1...hardStatesPerThread {
                let seen = log.lastIndex
                guard seen >= previous else { return false }
                previous = seen
                let state = HardStateRecord(term: 1, votedFor: UInt64(thread), commitIndex: commit)
                guard (try? log.append(entries: [], hardState: state)) != nil else { return false }
            }
            return true
        }
        #expect(outcomes == Array(repeating: true, count: threadCount), "every append succeeds and lastIndex never goes back")
        try log.flushAndClose()

        let (reopened, recovered) = try WriteAheadLog.open(directory: directory.path, segmentSizeBytes: Fixtures.smallSegmentBytes)
        reopened.close()
        #expect(recovered.entries == Fixtures.entries(1...entryCount, term: 1))
        #expect(recovered.hardState?.commitIndex == hardStatesPerThread, "some thread's last hard state is the durable one")
    }
}

extension DispatchQueue {
    /// `concurrentPerform` that collects each iteration's result.
    static func concurrentMap<Result: Sendable>(_ count: Int, _ body: @Sendable (Int) -> Result) -> [Result] {
        let results = UnsafeMutableBufferPointer<Result?>.allocate(capacity: count)
        results.initialize(repeating: nil)
        defer { results.deallocate() }
        nonisolated(unsafe) let shared = results
        concurrentPerform(iterations: count) { shared[$0] = body($0) }
        return results.map { $0! }
    }
}
