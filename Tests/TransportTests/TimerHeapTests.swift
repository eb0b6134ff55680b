import Primitives
import Testing
import TestSupport
@testable import Transport

/// Records which timers ran, in the order their actions were called.
private final class FiringLog {
    var fired: [Int] = []
}

@Suite struct TimerHeapTests {
    private func instant(_ milliseconds: UInt64) -> MonotonicInstant {
        MonotonicInstant(nanoseconds: milliseconds * 1_000_000)
    }

    @Test func dueTimersComeOutEarliestDeadlineFirst() {
        var heap = TimerHeap()
        let log = FiringLog()
        for deadline in [50, 10, 40, 30, 20, 60] as [UInt64] {
            _ = heap.schedule(at: instant(deadline)) { log.fired.append(Int(deadline)) }
        }
        while let action = heap.popNextDue(now: instant(100)) { action() }
        #expect(log.fired == [10, 20, 30, 40, 50, 60])
        #expect(heap.count == 0)
        #expect(heap.nextDeadline() == nil)
    }

    @Test func onlyTimersAtOrBeforeNowAreDue() {
        var heap = TimerHeap()
        let log = FiringLog()
        for deadline in [30, 10, 20, 40] as [UInt64] {
            _ = heap.schedule(at: instant(deadline)) { log.fired.append(Int(deadline)) }
        }
        while let action = heap.popNextDue(now: instant(20)) { action() }
        #expect(log.fired == [10, 20])
        #expect(heap.count == 2)
        #expect(heap.nextDeadline() == instant(30))
    }

    @Test func cancelledTimerNeverFiresAndNoLongerSetsTheNextDeadline() {
        var heap = TimerHeap()
        let log = FiringLog()
        let first = heap.schedule(at: instant(10)) { log.fired.append(10) }
        _ = heap.schedule(at: instant(20)) { log.fired.append(20) }
        let third = heap.schedule(at: instant(30)) { log.fired.append(30) }
        heap.cancel(first)
        heap.cancel(third)
        #expect(heap.count == 1)
        #expect(heap.nextDeadline() == instant(20))
        while let action = heap.popNextDue(now: instant(100)) { action() }
        #expect(log.fired == [20])
    }

    @Test func cancellingAnAlreadyFiredTimerIsHarmless() {
        var heap = TimerHeap()
        let log = FiringLog()
        let fired = heap.schedule(at: instant(1)) { log.fired.append(1) }
        while let action = heap.popNextDue(now: instant(1)) { action() }
        heap.cancel(fired)
        _ = heap.schedule(at: instant(2)) { log.fired.append(2) }
        while let action = heap.popNextDue(now: instant(2)) { action() }
        #expect(log.fired == [1, 2])
    }

    @Test func timersWithEqualDeadlinesAllFire() {
        var heap = TimerHeap()
        let log = FiringLog()
        for index in 0..<5 { _ = heap.schedule(at: instant(7)) { log.fired.append(index) } }
        while let action = heap.popNextDue(now: instant(7)) { action() }
        #expect(log.fired.sorted() == [0, 1, 2, 3, 4])
    }

    /// Random schedules, cancels and pops against a plain list as the model.
    @Test(arguments: [1, 2, 3, 4, 5, 6, 7, 8] as [UInt64])
    func agreesWithASortedListUnderRandomOperations(seed: UInt64) {
        var generator = SplitMix64(seed: seed)
        var heap = TimerHeap()
        let log = FiringLog()
        var live: [Int: UInt64] = [:]
        var ids: [Int: TimerID] = [:]
        var now: UInt64 = 0
        for step in 0..<2_000 {
            switch generator.next() % 4 {
            case 0, 1:
                let deadline = now + generator.next() % 500
                ids[step] = heap.schedule(at: instant(deadline)) { log.fired.append(step) }
                live[step] = deadline
            case 2:
                if let victim = live.keys.sorted().randomElement(using: &generator) {
                    heap.cancel(ids[victim]!)
                    live[victim] = nil
                }
            default:
                now += generator.next() % 200
                log.fired.removeAll()
                while let action = heap.popNextDue(now: instant(now)) { action() }
                let expectedDue = live.filter { $0.value <= now }
                #expect(Set(log.fired) == Set(expectedDue.keys), "seed \(seed) step \(step)")
                let firedDeadlines = log.fired.compactMap { live[$0] }
                #expect(firedDeadlines == firedDeadlines.sorted(), "seed \(seed) step \(step): out of order")
                for key in expectedDue.keys { live[key] = nil }
            }
            #expect(heap.count == live.count)
            #expect(heap.nextDeadline() == live.values.min().map { instant($0) }, "seed \(seed) step \(step)")
        }
    }
}
