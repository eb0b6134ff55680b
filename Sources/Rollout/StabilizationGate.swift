/// The stabilization gate (Docs/DEPLOYMENTS.md, "The gate"): after each poll of a wave, proceed,
/// wait or fail, from the poll, the baseline, the settings and the wave's previous decision alone.
/// Pure, deterministic and total: any input, however inconsistent, gets a defined decision.
public enum StabilizationGate {
    /// The decision after `poll`. `previous` is the last decision of the same wave, nil for its
    /// first poll: its poll gives the previous values, and its streaks are continued. A `previous`
    /// given with a poll of index 1 or less is ignored; one whose poll is not before `poll` (by
    /// index and by elapsed time) makes this decision a wait that advances no streak.
    ///
    /// Checks, first match wins: a failed health probe; the module absent from every sample of a
    /// node's window; a node regressed or over a ceiling for `consecutiveFailing` polls in a row
    /// (`.ceiling` when any such node is over a ceiling in this poll, else `.regressed`); too many
    /// nodes without data for `consecutiveFailing` polls in a row; `consecutiveStable` stable polls
    /// in a row once the minimum wait has passed (proceed); the maximum wait passed (fail);
    /// otherwise wait.
    public static func decide(settings: GateSettings, baseline: GateBaseline, previous: GateDecision?,
                              poll: GatePoll) -> GateDecision {
        let previous = poll.index <= 1 ? nil : previous
        if let previous, previous.poll.index >= poll.index || previous.poll.elapsedMilliseconds >= poll.elapsedMilliseconds {
            return GateDecision(poll: poll, verdict: .wait, reason: .settling, consecutiveStable: previous.consecutiveStable,
                                failingStreaks: poll.nodes.indices.map { element(of: previous.failingStreaks, at: $0) ?? 0 },
                                consecutiveNoData: previous.consecutiveNoData)
        }
        let nodes = judge(settings: settings, baseline: baseline, previous: previous?.poll, poll: poll)
        let streaks = failingStreaks(nodes: nodes, previous: previous, settings: settings, baseline: baseline)
        let withoutData = nodes.count(where: { !$0.hasData })
        let tooManyWithoutData = withoutData > settings.noDataAllowance(waveSize: nodes.count)
        // A silent node that was failing is not cleared by its silence.
        let waveStable = nodes.contains { $0.hasData } && !tooManyWithoutData
            && nodes.allSatisfy { $0.hasData ? $0.isStable : streaks[$0.index] == 0 }
        let consecutiveStable = waveStable ? increment(previous?.consecutiveStable) : 0
        let consecutiveNoData = tooManyWithoutData ? increment(previous?.consecutiveNoData) : 0
        let failingWanted = atLeastOne(settings.consecutiveFailing)
        let failed = nodes.filter { $0.isFailing && streaks[$0.index] >= failingWanted }
        let (verdict, reason): (GateVerdict, GateReason) =
            if nodes.contains(where: \.probeFailed) {
                (.fail, .probeFailed)
            } else if nodes.contains(where: \.moduleAbsent) {
                (.fail, .moduleDown)
            } else if failed.contains(where: \.isOverCeiling) {
                (.fail, .ceiling)
            } else if !failed.isEmpty {
                (.fail, .regressed)
            } else if consecutiveNoData >= failingWanted {
                (.fail, .noData)
            } else if consecutiveStable >= atLeastOne(settings.consecutiveStable)
                && poll.elapsedMilliseconds >= UInt64(settings.minimumWaitMilliseconds) {
                (.proceed, .stable)
            } else if poll.elapsedMilliseconds >= UInt64(settings.maximumWaitMilliseconds) {
                (.fail, .maximumWait)
            } else {
                (.wait, .settling)
            }
        return GateDecision(poll: poll, verdict: verdict, reason: reason, consecutiveStable: consecutiveStable,
                            failingStreaks: streaks, consecutiveNoData: consecutiveNoData)
    }

    /// Per node: one more than before when it regressed or was over a ceiling, 0 when it had data
    /// and did neither, and unchanged when it had no data (silence neither extends nor breaks a
    /// streak) or when a metric that failed it in the previous poll has no value in this one.
    /// A previous decision with fewer streaks than the wave has nodes counts the missing ones as 0.
    private static func failingStreaks(nodes: [GateNodeEvidence], previous: GateDecision?, settings: GateSettings,
                                       baseline: GateBaseline) -> [UInt8] {
        let before = previous.map { judge(settings: settings, baseline: baseline, previous: nil, poll: $0.poll) } ?? []
        return nodes.map { node in
            let streak = previous.flatMap { element(of: $0.failingStreaks, at: node.index) }
            if !node.hasData { return streak ?? 0 }
            if node.isFailing { return increment(streak) }
            let failedBefore = element(of: before, at: node.index)?.metrics.filter {
                $0.regression == .failed || $0.underCeiling == .failed
            } ?? []
            let failedMetricMissing = failedBefore.contains { node.metrics[$0.metric.index].value == nil }
            return failedMetricMissing ? streak ?? 0 : 0
        }
    }

    /// One more than `count` (nil is 0), saturating at 255.
    static func increment(_ count: UInt8?) -> UInt8 {
        let (sum, overflow) = (count ?? 0).addingReportingOverflow(1)
        return overflow ? .max : sum
    }

    /// Settings below their bounds (refused by `GateSettings.refusal`) still get an answer: a count
    /// of polls below 1 acts as 1.
    static func atLeastOne(_ count: UInt8) -> UInt8 { max(count, 1) }
}
