/// The per-node, per-metric rules of the gate: settled, not regressed, under the ceiling. Every
/// figure that is absent or not finite is treated as absent, and an index a shorter array lacks
/// is absent too, so no input can trap here.
extension StabilizationGate {
    /// Every wave node of `poll` judged; the streaks are filled in by the caller.
    static func judge(settings: GateSettings, baseline: GateBaseline, previous: GatePoll?, poll: GatePoll) -> [GateNodeEvidence] {
        poll.nodes.indices.map { index in
            judgeNode(index: index, settings: settings, baseline: baseline, previous: previous, poll: poll)
        }
    }

    private static func judgeNode(index: Int, settings: GateSettings, baseline: GateBaseline, previous: GatePoll?,
                                  poll: GatePoll) -> GateNodeEvidence {
        let reading = poll.nodes[index]
        let probeFailed = reading?.probeFailed ?? false
        let hasData = GateMetric.allCases.contains { finite(reading?.values[$0]) != nil }
        let previousValues = previous.flatMap { element(of: $0.nodes, at: index) }.flatMap { $0 }?.values
        let baselineValues = element(of: baseline.nodes, at: index).flatMap { $0 }
        let metrics = GateMetric.allCases.map { metric in
            var evidence = judgeMetric(
                metric, settings: settings, value: hasData ? finite(reading?.values[metric]) : nil,
                previous: finite(previousValues?[metric]), baseline: finite(baselineValues?[metric]),
                controlChange: controlChange(of: metric, poll: poll.control, baseline: baseline.control)
            )
            evidence.nodeWithoutData = !hasData
            return evidence
        }
        return GateNodeEvidence(index: index, hasData: hasData, probeFailed: probeFailed, metrics: metrics, failingStreak: 0)
    }

    private static func judgeMetric(_ metric: GateMetric, settings: GateSettings, value: Double?, previous: Double?,
                                    baseline: Double?, controlChange: Double?) -> GateMetricEvidence {
        let band = settings.band(for: metric)
        let ceiling = settings.ceiling(for: metric)
        var evidence = GateMetricEvidence(
            metric: metric, value: value, previous: previous, baseline: baseline, controlChange: controlChange,
            netRise: nil, settleBand: previous.map { band.width(around: $0) },
            regressionBand: baseline.map { band.width(around: $0) }, ceiling: ceiling,
            settled: .notJudged, regression: .notJudged, underCeiling: .notJudged, nodeWithoutData: false
        )
        guard let value else { return evidence }
        if let previous, let width = evidence.settleBand {
            evidence.settled = abs(value - previous) <= width ? .passed : .failed
        } else {
            // The first poll, or the first since the node or this metric was silent: no change to judge yet.
            evidence.settled = .failed
        }
        if let baseline, let width = evidence.regressionBand {
            let rise = (value - baseline) - (controlChange ?? 0)
            evidence.netRise = rise
            // Only rises count: a fall (or no change) passes whatever the band; NaN passes neither test.
            evidence.regression = rise <= 0 || rise <= width ? .passed : .failed
        }
        if let ceiling {
            evidence.underCeiling = value < ceiling ? .passed : .failed
        }
        return evidence
    }

    /// The control group's change over its baseline for `metric`, or nil when either side lacks it.
    private static func controlChange(of metric: GateMetric, poll: MetricValues, baseline: MetricValues) -> Double? {
        guard let now = finite(poll[metric]), let before = finite(baseline[metric]) else { return nil }
        return finite(now - before)
    }

    static func finite(_ value: Double?) -> Double? {
        guard let value, value.isFinite else { return nil }
        return value
    }

    static func element<T>(of array: [T], at index: Int) -> T? {
        array.indices.contains(index) ? array[index] : nil
    }
}
