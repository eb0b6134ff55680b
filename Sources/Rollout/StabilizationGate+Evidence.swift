/// The evidence behind a decision, computed again from the same inputs `decide` had, so a stored
/// decision can be explained later without storing its evidence.
extension StabilizationGate {
    /// Why `decision` was made: pass the settings, baseline and previous decision it was made with.
    public static func evidence(settings: GateSettings, baseline: GateBaseline, previous: GateDecision?,
                                decision: GateDecision) -> GateEvidence {
        // As `decide` did: a previous decision is ignored on a wave's first poll.
        let previous = decision.poll.index <= 1 ? nil : previous
        var nodes = judge(settings: settings, baseline: baseline, previous: previous?.poll, poll: decision.poll)
        for index in nodes.indices {
            nodes[index].failingStreak = element(of: decision.failingStreaks, at: index) ?? 0
        }
        return GateEvidence(
            verdict: decision.verdict, reason: decision.reason, pollIndex: decision.poll.index,
            pollsMaximum: pollsMaximum(settings: settings), elapsedMilliseconds: decision.poll.elapsedMilliseconds,
            consecutiveStable: decision.consecutiveStable, consecutiveStableWanted: atLeastOne(settings.consecutiveStable),
            consecutiveNoData: decision.consecutiveNoData, consecutiveFailingWanted: atLeastOne(settings.consecutiveFailing),
            minimumWaitMilliseconds: settings.minimumWaitMilliseconds,
            baselineWindowMilliseconds: baseline.windowMilliseconds,
            baselineWindowShort: baseline.windowMilliseconds < UInt64(settings.minimumWaitMilliseconds),
            hasControlGroup: nodes.contains { $0.metrics.contains { $0.controlChange != nil } },
            controlNodes: baseline.control.count,
            nodesWithoutData: nodes.count(where: { !$0.hasData }),
            noDataAllowance: settings.noDataAllowance(waveSize: nodes.count),
            nodes: nodes
        )
    }

    /// ceil(maximumWait / pollInterval): the poll at which the maximum wait has passed. A poll
    /// interval of 0 (refused by the settings' bounds) counts as 1 ms.
    public static func pollsMaximum(settings: GateSettings) -> UInt32 {
        let interval = UInt64(max(settings.pollIntervalMilliseconds, 1))
        let polls = (UInt64(settings.maximumWaitMilliseconds) + interval - 1) / interval
        return UInt32(clamping: polls)
    }
}
