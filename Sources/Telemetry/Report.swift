/// What an agent sends the leader every interval: the samples it has not seen acknowledged,
/// numbered consecutively from `firstSequence`, and the highest leader term it has seen so a
/// deposed leader can tell it is deposed. The node is not named: the leader takes the node id
/// from the agent's certificate.
public struct Report: Equatable, Sendable {
    /// Chosen by the agent when it starts (its start time in unix milliseconds, say) and kept
    /// until it exits. Sequence numbers restart with the agent, so the leader compares them
    /// only within one incarnation.
    public var agentIncarnation: UInt64
    /// The highest leader term the agent has seen (and persisted).
    public var highestSeenTerm: UInt64
    /// The sequence number of `samples[0]`; `samples[i]` has `firstSequence + i`. For an
    /// empty report, the sequence the next sample will get.
    public var firstSequence: UInt64
    /// Oldest first, at most `ReportLimits.samplesMaximum`.
    public var samples: [Sample]

    public init(agentIncarnation: UInt64, highestSeenTerm: UInt64, firstSequence: UInt64, samples: [Sample]) {
        self.agentIncarnation = agentIncarnation
        self.highestSeenTerm = highestSeenTerm
        self.firstSequence = firstSequence
        self.samples = samples
    }

    /// The sequence number of the newest sample: what the leader acknowledges. Nil for an empty
    /// report, or when the range passes `UInt64.max` (which `validate()` refuses).
    public var lastSequence: UInt64? {
        guard !samples.isEmpty else { return nil }
        let (last, overflow) = firstSequence.addingReportingOverflow(UInt64(samples.count - 1))
        return overflow ? nil : last
    }
}
