/// A bounded table of token buckets keyed by a string (an address, a user name), for the API's
/// rate limits (Docs/ACCESS.md). Time is monotonic nanoseconds passed in by the caller. Counting
/// is in integers (a token is 10^9 nano-tokens; a bucket gains `ratePerSecond` nano-tokens a
/// nanosecond) with saturating arithmetic, so huge time jumps and long runs cannot drift or trap.
///
/// Entries form a recency list. Each call evicts at most `idleEvictionsPerCallMaximum` least
/// recently used entries that have been idle long enough to be full again (forgetting them
/// changes nothing: a new entry starts full), and a new key in a full table evicts the least
/// recently used entry, so every call does O(1) work. A value type: the owner serialises calls.
public struct RateLimiter: Sendable {
    public static let capacityDefault = 16_384
    public static let idleEvictionsPerCallMaximum = 2
    static let nanoTokensPerToken: UInt64 = 1_000_000_000
    /// Bounds rate and burst so that burst * 10^9 nano-tokens fits in UInt64.
    public static let rateAndBurstMaximum: UInt64 = 1_000_000_000

    private struct Entry {
        var key: String
        var nanoTokens: UInt64
        var updatedAtNanoseconds: UInt64
        var newer: Int
        var older: Int
    }

    public let ratePerSecond: UInt64
    public let burst: UInt64
    public let capacity: Int
    private let fullNanoTokens: UInt64
    /// How long an empty bucket takes to fill: an entry idle this long is full again.
    private let refillNanoseconds: UInt64
    private var entries: [Entry] = []
    private var slots: [String: Int] = [:]
    private var freeSlots: [Int] = []
    private var newest = -1
    private var oldest = -1

    public init(ratePerSecond: UInt64, burst: UInt64, capacity: Int = capacityDefault) {
        precondition((1...Self.rateAndBurstMaximum).contains(ratePerSecond), "rate \(ratePerSecond)/s is out of range")
        precondition((1...Self.rateAndBurstMaximum).contains(burst), "burst \(burst) is out of range")
        precondition(capacity >= 1, "a rate limiter needs room for at least one entry")
        self.ratePerSecond = ratePerSecond
        self.burst = burst
        self.capacity = capacity
        fullNanoTokens = burst * Self.nanoTokensPerToken
        refillNanoseconds = (fullNanoTokens + ratePerSecond - 1) / ratePerSecond
    }

    /// How many keys the table holds now (at most `capacity`).
    public var count: Int { slots.count }

    /// Takes one token from `key`'s bucket, making the bucket (full) if the key is new. A refusal's
    /// Retry-After is always 1 s: rates are whole tokens per second, at least 1, so the one token
    /// missing comes within a second.
    public mutating func take(_ key: String, nowNanoseconds: UInt64) -> RateDecision {
        evictIdle(nowNanoseconds: nowNanoseconds)
        let slot: Int
        if let existing = slots[key] {
            slot = existing
            unlink(slot)
            refill(slot, nowNanoseconds: nowNanoseconds)
        } else {
            if slots.count >= capacity { remove(oldest) }
            slot = insert(Entry(key: key, nanoTokens: fullNanoTokens, updatedAtNanoseconds: nowNanoseconds, newer: -1, older: -1))
        }
        linkAsNewest(slot)
        guard entries[slot].nanoTokens < Self.nanoTokensPerToken else {
            entries[slot].nanoTokens -= Self.nanoTokensPerToken
            return .allowed
        }
        let missingNanoTokens = Self.nanoTokensPerToken - entries[slot].nanoTokens
        let waitNanoseconds = (missingNanoTokens + ratePerSecond - 1) / ratePerSecond
        let waitSeconds = (waitNanoseconds + Self.nanoTokensPerToken - 1) / Self.nanoTokensPerToken
        return .limited(retryAfterSeconds: Int(max(1, waitSeconds)))
    }

    private mutating func refill(_ slot: Int, nowNanoseconds: UInt64) {
        let updatedAt = entries[slot].updatedAtNanoseconds
        guard nowNanoseconds > updatedAt else { return }
        let (gained, overflow) = (nowNanoseconds - updatedAt).multipliedReportingOverflow(by: ratePerSecond)
        let room = fullNanoTokens - entries[slot].nanoTokens
        entries[slot].nanoTokens = overflow || gained >= room ? fullNanoTokens : entries[slot].nanoTokens + gained
        entries[slot].updatedAtNanoseconds = nowNanoseconds
    }

    private mutating func evictIdle(nowNanoseconds: UInt64) {
        for _ in 0..<Self.idleEvictionsPerCallMaximum {
            guard oldest >= 0 else { return }
            let (fullAt, overflow) = entries[oldest].updatedAtNanoseconds.addingReportingOverflow(refillNanoseconds)
            guard !overflow, fullAt <= nowNanoseconds else { return }
            remove(oldest)
        }
    }

    private mutating func insert(_ entry: Entry) -> Int {
        let slot: Int
        if let reused = freeSlots.popLast() {
            slot = reused
            entries[slot] = entry
        } else {
            slot = entries.count
            entries.append(entry)
        }
        slots[entry.key] = slot
        return slot
    }

    private mutating func remove(_ slot: Int) {
        unlink(slot)
        slots[entries[slot].key] = nil
        entries[slot].key = ""
        freeSlots.append(slot)
    }

    private mutating func unlink(_ slot: Int) {
        let (newer, older) = (entries[slot].newer, entries[slot].older)
        if newer >= 0 { entries[newer].older = older } else { newest = older }
        if older >= 0 { entries[older].newer = newer } else { oldest = newer }
        entries[slot].newer = -1
        entries[slot].older = -1
    }

    private mutating func linkAsNewest(_ slot: Int) {
        entries[slot].older = newest
        entries[slot].newer = -1
        if newest >= 0 { entries[newest].newer = slot } else { oldest = slot }
        newest = slot
    }
}
