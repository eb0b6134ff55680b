/// Consecutive unacknowledged samples from a `SampleBuffer`, ready to become a `Report`.
public struct SampleBatch: Equatable, Sendable {
    /// The sequence number of `samples[0]`; for an empty batch, the next sequence to be given.
    public var firstSequence: UInt64
    /// Oldest first.
    public var samples: [Sample]

    public init(firstSequence: UInt64, samples: [Sample]) {
        self.firstSequence = firstSequence
        self.samples = samples
    }
}
