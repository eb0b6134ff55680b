/// Medians as the stabilization gate takes them (Docs/DEPLOYMENTS.md, "Readings"): of a poll
/// window's samples, and of a control group's per-node medians.
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

    /// A control group's figures from its nodes' readings (nil for a node without data): per
    /// metric the median of the values the nodes have, and how many nodes had data at all.
    public static func control(of readings: [MetricValues?]) -> (values: MetricValues, nodesWithData: UInt32) {
        let present = readings.compactMap { $0 }
        var values = MetricValues()
        for metric in GateMetric.allCases {
            values[metric] = of(present.compactMap { $0[metric] })
        }
        return (values, UInt32(clamping: present.count))
    }
}
