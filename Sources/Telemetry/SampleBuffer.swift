/// The agent's samples that the leader has not acknowledged, numbered from 1 in the order they
/// were taken, in a ring of fixed capacity: a disconnect shorter than `capacity` intervals
/// loses nothing; a longer one drops the oldest samples and counts them.
public struct SampleBuffer: Sendable {
    /// The most samples held; the oldest is dropped to make room beyond it.
    public let capacity: Int
    /// Samples dropped unacknowledged because the buffer was full, since it was made.
    public private(set) var droppedCount: UInt64 = 0
    /// How many samples are waiting for an acknowledgement.
    public private(set) var count = 0
    /// The sequence number of the oldest pending sample, or of the next one when none is pending.
    public private(set) var firstSequence: UInt64 = 1

    /// The ring: grows to `capacity`, then slots are reused; `start` holds the oldest sample.
    private var storage: [Sample] = []
    private var start = 0

    /// The sequence number the next appended sample gets.
    public var nextSequence: UInt64 { firstSequence + UInt64(count) }

    public init(capacity: Int) {
        precondition(capacity > 0, "a sample buffer must hold at least one sample")
        self.capacity = capacity
    }

    /// Adds `sample` as the newest, dropping the oldest pending sample if the buffer is full.
    /// Returns the sample's sequence number.
    @discardableResult
    public mutating func append(_ sample: Sample) -> UInt64 {
        if count == capacity {
            start = (start + 1) % storage.count
            count -= 1
            firstSequence += 1
            droppedCount += 1
        }
        let sequence = nextSequence
        if count < storage.count {
            storage[(start + count) % storage.count] = sample
        } else {
            if start != 0 {
                storage = Array(storage[start...] + storage[..<start])
                start = 0
            }
            storage.append(sample)
        }
        count += 1
        assert(count <= capacity && storage.count <= capacity, "sample buffer grew past its capacity")
        return sequence
    }

    /// The oldest pending samples, at most `maximum` of them, still pending until acknowledged.
    public func pending(maximum: Int) -> SampleBatch {
        let taken = max(0, min(maximum, count))
        let samples = (0..<taken).map { storage[(start + $0) % storage.count] }
        return SampleBatch(firstSequence: firstSequence, samples: samples)
    }

    /// Forgets every pending sample with a sequence number up to and including `sequence`.
    /// An acknowledgement below `firstSequence` (stale or repeated) changes nothing; one past
    /// the newest sample forgets everything pending but does not skip sequence numbers.
    /// Returns how many samples were forgotten.
    @discardableResult
    public mutating func acknowledge(upTo sequence: UInt64) -> Int {
        guard sequence >= firstSequence, count > 0 else { return 0 }
        let released = Int(min(sequence - firstSequence + 1, UInt64(count)))
        start = (start + released) % storage.count
        count -= released
        firstSequence += UInt64(released)
        return released
    }
}
