/// The per-node, per-metric rules of the gate: settled, not regressed, under the ceiling. Every
/// figure that is absent or not finite is treated as absent, and an index a shorter array lacks
/// is absent too, so no input can trap here.
extension StabilizationGate {
    /// Every wave node of `poll` judged; the streaks are filled in by the caller.
    static func judge(settings: GateSettings, baseline: GateBaseline, previous: GatePoll?, poll: GatePoll) -> [GateNodeEvidence] {
        let control = ControlGroup(settings: settings, baseline: baseline, poll: poll)
        let waveBaseline = MetricValues(GateMetric.allCases.reduce(into: [:]) { medians, metric in
            medians[metric] = Median.of(baseline.nodes.compactMap { finite($0?[metric]) })
        })
        return poll.nodes.indices.map { index in
            judgeNode(index: index, settings: settings, baseline: baseline, waveBaseline: waveBaseline, control: control,
                      previous: previous, poll: poll)
        }
    }

    private static func judgeNode(index: Int, settings: GateSettings, baseline: GateBaseline, waveBaseline: MetricValues,
                                  control: ControlGroup, previous: GatePoll?, poll: GatePoll) -> GateNodeEvidence {
        let reading = poll.nodes[index]
        let hasData = GateMetric.allCases.contains { finite(reading?.values[$0]) != nil }
        let previousValues = previous.flatMap { element(of: $0.nodes, at: index) }.flatMap { $0 }?.values
        let baselineValues = element(of: baseline.nodes, at: index).flatMap { $0 }
        let metrics = GateMetric.allCases.map { metric in
            let own = finite(baselineValues?[metric])
            let reference = own ?? finite(waveBaseline[metric])
            var evidence = judgeMetric(
                metric, settings: settings, value: hasData ? finite(reading?.values[metric]) : nil,
                previous: finite(previousValues?[metric]), baseline: reference,
                controlChange: reference.flatMap { control.expectedChange(of: metric, from: $0) }
            )
            evidence.baselineFromWave = own == nil && reference != nil
            evidence.nodeWithoutData = !hasData
            return evidence
        }
        return GateNodeEvidence(index: index, hasData: hasData, probeFailed: reading?.probeFailed ?? false,
                                samples: reading?.samples ?? 0, samplesWithoutModule: reading?.samplesWithoutModule ?? 0,
                                metrics: metrics, failingStreak: 0)
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

    static func finite(_ value: Double?) -> Double? {
        guard let value, value.isFinite else { return nil }
        return value
    }

    static func element<T>(of array: [T], at index: Int) -> T? {
        array.indices.contains(index) ? array[index] : nil
    }
}

/// The control group's changes in one poll (Docs/DEPLOYMENTS.md, "The decision after each poll"):
/// per metric, each control node with a finite value in both the baseline and the poll, as its
/// baseline and its change; a metric with fewer than `GateBaseline.controlNodesWithDataMinimum`
/// such nodes has no control.
struct ControlGroup {
    private var changes: [[(baseline: Double, change: Double)]]
    private var floors: [Double]

    init(settings: GateSettings, baseline: GateBaseline, poll: GatePoll) {
        changes = GateMetric.allCases.map { metric in
            baseline.control.indices.compactMap { index in
                guard let before = StabilizationGate.finite(baseline.control[index]?[metric]),
                      let now = StabilizationGate.finite(StabilizationGate.element(of: poll.control, at: index).flatMap { $0 }?[metric]),
                      let change = StabilizationGate.finite(now - before) else { return nil }
                return (before, change)
            }
        }
        floors = GateMetric.allCases.map { settings.band(for: $0).floor }
    }

    /// The change the control group expects of a node whose baseline is `reference`: the median,
    /// over the control nodes, of each one's relative change applied to `reference`, b × (c − c_b) / c_b,
    /// or of its absolute change c − c_b when its own baseline c_b is below the metric's band
    /// floor (or not above 0). Nil when too few control nodes have the metric.
    func expectedChange(of metric: GateMetric, from reference: Double) -> Double? {
        let nodes = changes[metric.index]
        guard nodes.count >= GateBaseline.controlNodesWithDataMinimum else { return nil }
        let floor = floors[metric.index]
        return Median.of(nodes.map { node in
            node.baseline >= floor && node.baseline > 0 ? reference * (node.change / node.baseline) : node.change
        })
    }
}
