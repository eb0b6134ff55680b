import Access
import Testing

/// Token buckets allow their burst, then refuse with a whole-second Retry-After, refill at their
/// rate, and the table stays within its capacity however many keys arrive.
struct RateLimiterTests {
    static let second: UInt64 = 1_000_000_000
    static let start: UInt64 = 5 * second

    @Test func theBurstIsAllowedThenRefusedWithRetryAfter() {
        var limiter = RateLimiter(ratePerSecond: 1, burst: 10)
        for index in 0..<10 {
            #expect(limiter.take("10.0.0.1", nowNanoseconds: Self.start) == .allowed, "request \(index)")
        }
        #expect(limiter.take("10.0.0.1", nowNanoseconds: Self.start) == .limited(retryAfterSeconds: 1))
        #expect(limiter.take("10.0.0.2", nowNanoseconds: Self.start) == .allowed)
    }

    @Test func retryAfterRoundsUpToWholeSecondsAndIsAtLeastOne() {
        var limiter = RateLimiter(ratePerSecond: 1, burst: 1)
        #expect(limiter.take("k", nowNanoseconds: Self.start) == .allowed)
        #expect(limiter.take("k", nowNanoseconds: Self.start + 1) == .limited(retryAfterSeconds: 1))
        #expect(limiter.take("k", nowNanoseconds: Self.start + Self.second - 1) == .limited(retryAfterSeconds: 1))
        #expect(limiter.take("k", nowNanoseconds: Self.start + Self.second) == .allowed)
    }

    /// Rates are at least one token a second, so the one token a refused request lacks is never
    /// more than a second away, whatever the rate, the burst or how recently the bucket emptied.
    @Test(arguments: [(UInt64(1), UInt64(1)), (1, 10), (2, 1), (3, 7), (7, 400), (200, 400)])
    func retryAfterIsNeverMoreThanOneSecond(rate: UInt64, burst: UInt64) {
        var limiter = RateLimiter(ratePerSecond: rate, burst: burst)
        for _ in 0..<burst { _ = limiter.take("k", nowNanoseconds: Self.start) }
        var now = Self.start
        for step in [UInt64(0), 1, 1_000, 999_999, 100_000_000] {
            now += step
            // Each refusal costs nothing, so the bucket keeps filling between them.
            if case let .limited(retryAfter) = limiter.take("k", nowNanoseconds: now) {
                #expect(retryAfter == 1, "rate \(rate)/s, burst \(burst), \(now - Self.start) ns after emptying")
            }
        }
    }

    @Test func tokensRefillAtTheRateAndNoFasterThanTheBurst() {
        var limiter = RateLimiter(ratePerSecond: 200, burst: 400)
        for _ in 0..<400 { _ = limiter.take("a", nowNanoseconds: Self.start) }
        #expect(limiter.take("a", nowNanoseconds: Self.start) == .limited(retryAfterSeconds: 1))
        // 5 ms at 200/s is exactly one token.
        let later = Self.start + 5_000_000
        #expect(limiter.take("a", nowNanoseconds: later) == .allowed)
        #expect(limiter.take("a", nowNanoseconds: later) == .limited(retryAfterSeconds: 1))
        // A long pause refills to the burst, not beyond it.
        let muchLater = later + 3_600 * Self.second
        let allowed = (0..<1_000).filter { _ in limiter.take("a", nowNanoseconds: muchLater) == .allowed }.count
        #expect(allowed == 400)
    }

    @Test func hugeAndBackwardTimeJumpsNeitherTrapNorOverfill() {
        var limiter = RateLimiter(ratePerSecond: 1_000_000_000, burst: 1_000_000_000, capacity: 4)
        #expect(limiter.take("a", nowNanoseconds: 0) == .allowed)
        #expect(limiter.take("a", nowNanoseconds: .max) == .allowed)
        #expect(limiter.take("a", nowNanoseconds: 1) == .allowed)
        var small = RateLimiter(ratePerSecond: 1, burst: 2)
        #expect(small.take("b", nowNanoseconds: .max - 1) == .allowed)
        #expect(small.take("b", nowNanoseconds: .max) == .allowed)
        #expect(small.take("b", nowNanoseconds: .max) == .limited(retryAfterSeconds: 1))
        // Time going backwards gains nothing.
        #expect(small.take("b", nowNanoseconds: 0) == .limited(retryAfterSeconds: 1))
    }

    /// After a jump of any size (gain overflowing UInt64 or not), a bucket holds its burst and no
    /// more. Older idle keys come first, so the bucket is refilled rather than evicted and made anew.
    @Test(arguments: [UInt64(3_600) * 1_000_000_000, UInt64.max / 2, UInt64.max - 5 * 1_000_000_000])
    func aBucketHoldsAtMostItsBurstAfterAHugeTimeJump(jump: UInt64) {
        for (rate, burst) in [(UInt64(1), UInt64(3)), (200, 400), (1_000_000_000, 5)] {
            var limiter = RateLimiter(ratePerSecond: rate, burst: burst)
            for key in ["a", "b", "c"] { _ = limiter.take(key, nowNanoseconds: Self.start) }
            for _ in 0..<burst { _ = limiter.take("k", nowNanoseconds: Self.start) }
            let later = Self.start + jump
            let allowed = (0..<(burst + 5)).filter { _ in limiter.take("k", nowNanoseconds: later) == .allowed }.count
            #expect(allowed == Int(burst), "rate \(rate)/s, burst \(burst), jump \(jump) ns")
        }
    }

    @Test func theTableNeverExceedsItsCapacity() {
        var limiter = RateLimiter(ratePerSecond: 1, burst: 10, capacity: 64)
        for index in 0..<10_000 {
            _ = limiter.take("10.0.\(index / 256).\(index % 256)", nowNanoseconds: Self.start)
            #expect(limiter.count <= 64)
        }
        #expect(limiter.count == 64)
    }

    @Test func aFullTableEvictsTheLeastRecentlyUsedKey() {
        var limiter = RateLimiter(ratePerSecond: 1, burst: 1, capacity: 2)
        #expect(limiter.take("old", nowNanoseconds: Self.start) == .allowed)
        #expect(limiter.take("recent", nowNanoseconds: Self.start) == .allowed)
        // Touching "old" (even refused) makes "recent" the least recently used.
        #expect(limiter.take("old", nowNanoseconds: Self.start) == .limited(retryAfterSeconds: 1))
        #expect(limiter.take("new", nowNanoseconds: Self.start) == .allowed)
        #expect(limiter.count == 2)
        #expect(limiter.take("old", nowNanoseconds: Self.start) == .limited(retryAfterSeconds: 1))
        // "recent" was forgotten, so it starts again with a full bucket.
        #expect(limiter.take("recent", nowNanoseconds: Self.start) == .allowed)
    }

    @Test func entriesIdleUntilFullAreEvictedALittleAtATime() {
        var limiter = RateLimiter(ratePerSecond: 1, burst: 10, capacity: 100)
        for index in 0..<50 { _ = limiter.take("idle-\(index)", nowNanoseconds: Self.start) }
        #expect(limiter.count == 50)
        // Not yet full again after 9 s: nothing is evicted.
        _ = limiter.take("busy", nowNanoseconds: Self.start + 9 * Self.second)
        #expect(limiter.count == 51)
        // Full after 10 s: each call evicts a bounded number of them.
        _ = limiter.take("busy", nowNanoseconds: Self.start + 10 * Self.second)
        #expect(limiter.count == 51 - RateLimiter.idleEvictionsPerCallMaximum)
        for _ in 0..<100 { _ = limiter.take("busy", nowNanoseconds: Self.start + 10 * Self.second) }
        #expect(limiter.count == 1)
    }

    @Test func anEvictedIdleKeyBehavesAsIfItHadStayed() {
        var limiter = RateLimiter(ratePerSecond: 1, burst: 3, capacity: 8)
        for _ in 0..<3 { _ = limiter.take("a", nowNanoseconds: Self.start) }
        let later = Self.start + 3 * Self.second
        _ = limiter.take("b", nowNanoseconds: later)
        #expect(limiter.count == 1)
        let allowed = (0..<5).filter { _ in limiter.take("a", nowNanoseconds: later) == .allowed }.count
        #expect(allowed == 3)
    }
}
