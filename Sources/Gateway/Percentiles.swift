/// Median and 95th percentile by nearest rank over a handful of values (one
/// per node), the figures the environment summary and the gate quote.
public struct Percentiles: Equatable, Sendable {
    public let median: UInt64
    public let p95: UInt64

    /// Nil for no values.
    public init?(_ values: [UInt64]) {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        median = Self.rank(0.5, in: sorted)
        p95 = Self.rank(0.95, in: sorted)
    }

    /// The smallest value with at least `fraction` of the values at or below it.
    private static func rank(_ fraction: Double, in sorted: [UInt64]) -> UInt64 {
        let position = Int((fraction * Double(sorted.count)).rounded(.up))
        return sorted[max(position, 1) - 1]
    }
}
