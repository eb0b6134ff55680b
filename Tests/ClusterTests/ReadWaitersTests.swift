import Cluster
import Locking
import Primitives
import Testing

@Suite struct ReadWaitersTests {
    static let now = MonotonicInstant(nanoseconds: 5_000_000_000)

    /// Adds a read that records its name when completed.
    static func add(_ name: String, to waiters: inout ReadWaiters, deadline: MonotonicInstant = now.advanced(by: .seconds(1)),
                    log: Locked<[String]>) -> Bool {
        waiters.add(deadline: deadline) { _ in log.withLock { $0.append(name) } }
    }

    static func run(_ completions: [ReadWaiters.Completion]) {
        for completion in completions { completion(.refused(.noLeader("test"))) }
    }

    @Test func readsArrivingTogetherShareOneBatchAndAreReleasedOnceApplied() throws {
        let log = Locked<[String]>([])
        var waiters = ReadWaiters(firstReadID: 40)
        let none = waiters.startBatch()
        #expect(none == nil, "no read, no request")
        let added = [Self.add("a", to: &waiters, log: log), Self.add("b", to: &waiters, log: log)]
        #expect(added == [true, true])
        let started = waiters.startBatch()
        let batch = try #require(started)
        #expect(batch.id == 40)
        #expect(batch.context == [0, 0, 0, 0, 0, 0, 0, 40])
        #expect(!waiters.hasUnrequested)
        let confirmed = waiters.confirm(context: batch.context, index: 12)
        #expect(confirmed)
        Self.run(waiters.releaseApplied(through: 11))
        #expect(log.withLock { $0 }.isEmpty, "index 12 is not applied yet")
        Self.run(waiters.releaseApplied(through: 12))
        #expect(log.withLock { $0 }.sorted() == ["a", "b"])
        #expect(waiters.count == 0)
    }

    @Test func aContextNamingNoWaitingBatchIsNotConfirmed() throws {
        let log = Locked<[String]>([])
        var waiters = ReadWaiters(firstReadID: 1)
        _ = Self.add("a", to: &waiters, log: log)
        let started = waiters.startBatch()
        let batch = try #require(started)
        let outcomes = [waiters.confirm(context: [1, 2, 3], index: 5), waiters.confirm(context: [0, 0, 0, 0, 0, 0, 0, 9], index: 5),
                        waiters.confirm(context: batch.context, index: 5), waiters.confirm(context: batch.context, index: 5)]
        #expect(outcomes == [false, false, true, false], "too short, never sent, waiting, already confirmed")
    }

    @Test func theTableIsBounded() {
        let log = Locked<[String]>([])
        var waiters = ReadWaiters(firstReadID: 1)
        let added = (0...ReadWaiters.pendingMaximum).map { _ in Self.add("r", to: &waiters, log: log) }
        #expect(added == Array(repeating: true, count: ReadWaiters.pendingMaximum) + [false])
        #expect(waiters.count == ReadWaiters.pendingMaximum)
        Self.run(waiters.failAll())
        #expect(log.withLock { $0.count } == ReadWaiters.pendingMaximum)
        #expect(waiters.count == 0)
    }

    @Test func readsPastTheirDeadlineExpireWhereverTheyWait() throws {
        let log = Locked<[String]>([])
        var waiters = ReadWaiters(firstReadID: 1)
        _ = Self.add("confirmed", to: &waiters, deadline: Self.now, log: log)
        let firstBatch = waiters.startBatch()
        let first = try #require(firstBatch)
        let confirmed = waiters.confirm(context: first.context, index: 3)
        #expect(confirmed)
        _ = Self.add("requested", to: &waiters, deadline: Self.now, log: log)
        let second = waiters.startBatch()
        #expect(second != nil)
        _ = Self.add("unrequested", to: &waiters, deadline: Self.now, log: log)
        _ = Self.add("alive", to: &waiters, deadline: Self.now.advanced(by: .nanoseconds(1)), log: log)
        Self.run(waiters.expire(now: Self.now))
        #expect(log.withLock { $0 }.sorted() == ["confirmed", "requested", "unrequested"])
        #expect(waiters.count == 1)
    }

    @Test func aLeaderChangeAsksAgainAndARefusedBatchFails() throws {
        let log = Locked<[String]>([])
        var waiters = ReadWaiters(firstReadID: 1)
        _ = Self.add("a", to: &waiters, log: log)
        let firstBatch = waiters.startBatch()
        let first = try #require(firstBatch)
        waiters.requeueRequested()
        #expect(waiters.hasUnrequested)
        let confirmed = waiters.confirm(context: first.context, index: 1)
        #expect(!confirmed, "the old request is forgotten")
        let secondBatch = waiters.startBatch()
        let second = try #require(secondBatch)
        #expect(second.id == first.id + 1)
        Self.run(waiters.failBatch(second.id))
        #expect(log.withLock { $0 } == ["a"])
        #expect(waiters.count == 0)
    }
}
