import Locking

/// Counts observations (latencies, sizes) into fixed buckets and keeps their sum and count,
/// exposed as cumulative `_bucket{le=...}` series plus `+Inf`, `_sum` and `_count`.
/// Obtain one from `MetricsRegistry.histogram(_:help:buckets:labels:)`.
public final class Histogram: Sendable {
    /// The most bucket bounds one histogram may have.
    static let bucketsMaximumCount = 64

    /// A consistent reading of a histogram: counts are cumulative, the last one is `+Inf`.
    struct Snapshot {
        let cumulativeCounts: [Int]
        let sum: Double
        let count: Int
    }

    private struct State {
        var bucketCounts: [Int]
        var sum: Double = 0
        var count = 0
    }

    /// Finite upper bounds, strictly increasing; `+Inf` is implicit.
    let upperBounds: [Double]
    private let state: Locked<State>

    init(upperBounds: [Double], metric: String) {
        precondition(!upperBounds.isEmpty, "histogram \(metric): needs at least one bucket")
        precondition(
            upperBounds.count <= Self.bucketsMaximumCount,
            "histogram \(metric): more than \(Self.bucketsMaximumCount) buckets"
        )
        precondition(upperBounds.allSatisfy(\.isFinite), "histogram \(metric): bucket bounds must be finite")
        for (lower, upper) in zip(upperBounds, upperBounds.dropFirst()) {
            precondition(lower < upper, "histogram \(metric): bucket bounds must be strictly increasing")
        }
        self.upperBounds = upperBounds
        state = Locked(State(bucketCounts: Array(repeating: 0, count: upperBounds.count + 1)))
    }

    /// Records one observation; `v` must not be NaN.
    public func observe(_ v: Double) {
        precondition(!v.isNaN, "a histogram cannot observe NaN")
        let index = bucketIndex(for: v)
        state.withLock { state in
            state.bucketCounts[index] += 1
            state.sum += v
            state.count += 1
        }
    }

    func snapshot() -> Snapshot {
        let (counts, sum, count) = state.withLock { ($0.bucketCounts, $0.sum, $0.count) }
        var cumulative: [Int] = []
        cumulative.reserveCapacity(counts.count)
        var running = 0
        for bucketCount in counts {
            running += bucketCount
            cumulative.append(running)
        }
        assert(running == count, "histogram buckets must add up to its count")
        return Snapshot(cumulativeCounts: cumulative, sum: sum, count: count)
    }

    /// The first bucket whose upper bound is at least `v` (the `+Inf` bucket if none is).
    private func bucketIndex(for v: Double) -> Int {
        var low = 0
        var high = upperBounds.count
        while low < high {
            let middle = (low + high) / 2
            if upperBounds[middle] < v {
                low = middle + 1
            } else {
                high = middle
            }
        }
        return low
    }
}
