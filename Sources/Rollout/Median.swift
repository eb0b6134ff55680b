/// Medians as the stabilization gate takes them (Docs/DEPLOYMENTS.md, "Readings"): of a poll
/// window's samples, of the wave nodes' baselines, and of the control nodes' changes.
public enum Median {
    /// The median of the finite values (NaN and infinities are left out), the mean of the two
    /// middle ones for an even count; nil when no finite value is left.
    public static func of(_ values: [Double]) -> Double? {
        let sorted = values.filter(\.isFinite).sorted()
        guard !sorted.isEmpty else { return nil }
        let middle = sorted.count / 2
        if sorted.count % 2 == 1 { return sorted[middle] }
        return sorted[middle - 1] / 2 + sorted[middle] / 2
    }
}
