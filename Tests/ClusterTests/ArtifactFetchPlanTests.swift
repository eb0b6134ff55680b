import Cluster
import Primitives
import Testing

/// The fetch plan: what is missing, one fetch at a time, backoff after failures (never given
/// up), digests no record names dropped, stalls failed, the bound kept.
@Suite struct ArtifactFetchPlanTests {
    static let start = MonotonicInstant.now()

    static func digest(_ byte: UInt8) -> [UInt8] { [UInt8](repeating: byte, count: 32) }

    static func at(_ seconds: Int) -> MonotonicInstant { start.advanced(by: .seconds(seconds)) }

    @Test(arguments: [
        // (recorded, held, missing)
        ([1, 2, 3], [2], [1, 3]),
        ([1], [1], []),
        ([], [1], []),
        ([4, 5], [], [4, 5]),
    ] as [([UInt8], [UInt8], [UInt8])])
    func missingIsRecordedMinusHeld(recorded: [UInt8], held: [UInt8], missing: [UInt8]) {
        var plan = ArtifactFetchPlan(bound: 10)
        plan.update(recorded: Set(recorded.map(Self.digest)), held: Set(held.map(Self.digest)))
        #expect(plan.missingDigests == missing.map(Self.digest))
        #expect(plan.missingCount == missing.count)
    }

    @Test func oneFetchRunsAtATimeInDigestOrder() {
        var plan = ArtifactFetchPlan(bound: 10)
        plan.update(recorded: [Self.digest(2), Self.digest(1)], held: [])
        let first = plan.next(now: Self.at(0))
        #expect(first?.digest == Self.digest(1) && first?.attempt == 1)
        let whileRunning = plan.next(now: Self.at(0))
        #expect(whileRunning == nil, "one fetch in flight")
        #expect(plan.fetching == Self.digest(1))
        let ended = plan.succeeded(first!.serial), endedAgain = plan.succeeded(first!.serial)
        #expect(ended && !endedAgain, "an ended fetch ends once")
        let second = plan.next(now: Self.at(0))
        #expect(second?.digest == Self.digest(2) && second!.serial > first!.serial)
        #expect(plan.missingCount == 1)
    }

    @Test(arguments: [(1, 1), (2, 2), (3, 4), (6, 32), (7, 60), (50, 60)])
    func backoffDoublesToItsCap(failures: Int, seconds: Int) {
        #expect(ArtifactFetchPlan.backoff(afterFailures: failures) == .seconds(seconds))
    }

    @Test func aFailingDigestIsRetriedAfterItsBackoffForever() {
        var plan = ArtifactFetchPlan(bound: 10)
        plan.update(recorded: [Self.digest(1)], held: [])
        var now = Self.at(0)
        for failures in 1...10 {
            let attempt = plan.next(now: now)
            #expect(attempt?.attempt == failures, "attempt \(failures)")
            let failure = plan.failed(attempt!.serial, now: now)
            #expect(failure?.digest == Self.digest(1) && failure?.failures == failures)
            #expect(failure?.retryIn == ArtifactFetchPlan.backoff(afterFailures: failures))
            let early = plan.next(now: now.advanced(by: failure!.retryIn - .milliseconds(1)))
            #expect(early == nil, "not before its wait")
            now = now.advanced(by: failure!.retryIn)
        }
        #expect(plan.next(now: now) != nil, "still retried after ten failures")
    }

    @Test func aNeverFailedDigestGoesBeforeAWaitingOne() {
        var plan = ArtifactFetchPlan(bound: 10)
        plan.update(recorded: [Self.digest(1)], held: [])
        _ = plan.failed(plan.next(now: Self.at(0))!.serial, now: Self.at(0))
        plan.update(recorded: [Self.digest(1), Self.digest(9)], held: [])
        let chosen = plan.next(now: Self.at(100))
        #expect(chosen?.digest == Self.digest(9))
    }

    @Test func aDigestNoRecordNamesIsDroppedRunningOrNot() {
        var plan = ArtifactFetchPlan(bound: 10)
        plan.update(recorded: [Self.digest(1), Self.digest(2)], held: [])
        let running = plan.next(now: Self.at(0))!
        let kept = plan.update(recorded: [Self.digest(1)], held: [])
        #expect(kept == nil, "the running digest is still recorded")
        #expect(plan.missingDigests == [Self.digest(1)])
        let forgotten = plan.update(recorded: [], held: [])
        #expect(forgotten == running.serial, "the running fetch is forgotten")
        #expect(plan.missingCount == 0 && plan.fetching == nil)
        let failed = plan.failed(running.serial, now: Self.at(1)), progressed = plan.progressed(running.serial, now: Self.at(1))
        #expect(failed == nil && !progressed)
    }

    @Test func aHeldDigestLosesItsFailures() {
        var plan = ArtifactFetchPlan(bound: 10)
        plan.update(recorded: [Self.digest(1)], held: [])
        _ = plan.failed(plan.next(now: Self.at(0))!.serial, now: Self.at(0))
        plan.update(recorded: [Self.digest(1)], held: [Self.digest(1)])
        plan.update(recorded: [Self.digest(1)], held: [])
        let again = plan.next(now: Self.at(0))
        #expect(again?.attempt == 1, "lost again, it starts over")
    }

    @Test func aFetchWithoutProgressStalls() {
        var plan = ArtifactFetchPlan(bound: 10)
        plan.update(recorded: [Self.digest(1)], held: [])
        let running = plan.next(now: Self.at(0))!
        #expect(plan.stalled(now: Self.at(100)) == nil, "before its begin a transfer has the longer bound")
        let began = plan.began(running.serial, now: Self.at(100)), again = plan.began(running.serial, now: Self.at(101))
        #expect(began && !again, "one transfer per fetch")
        #expect(plan.stalled(now: Self.at(130)) == nil)
        let progressed = plan.progressed(running.serial, now: Self.at(120))
        #expect(progressed)
        #expect(plan.stalled(now: Self.at(145)) == nil, "progress restarts the stall bound")
        #expect(plan.stalled(now: Self.at(151)) == running.serial)
    }

    @Test func aFetchWhoseTransferNeverBeginsStalls() {
        var plan = ArtifactFetchPlan(bound: 10)
        plan.update(recorded: [Self.digest(1)], held: [])
        let running = plan.next(now: Self.at(0))!
        #expect(plan.stalled(now: Self.at(120)) == nil)
        #expect(plan.stalled(now: Self.at(121)) == running.serial)
        let other = plan.began(running.serial + 1, now: Self.at(1))
        #expect(!other, "only the running fetch begins")
    }

    @Test func theBoundKeepsTheLowestDigests() {
        var plan = ArtifactFetchPlan(bound: 2)
        plan.update(recorded: Set([5, 1, 3].map(Self.digest)), held: [])
        #expect(plan.missingDigests == [Self.digest(1), Self.digest(3)])
    }
}
