import Primitives
import Telemetry

/// One node's recent samples as the leader holds them: the newest at full
/// resolution in a ring, older ones folded into per-minute summaries; both
/// bounded, so a node costs the same memory after a minute as after a month.
/// It also remembers the agent incarnation and the last sequence stored, so
/// a report resent after a reconnect is stored once.
public struct NodeWindow: Sendable {
    public let capacity: Int
    public let summaryCapacity: Int
    private var ring: [Sample] = []
    /// Index in `ring` of the oldest sample once the ring is full.
    private var oldest = 0
    public private(set) var summaries: [MinuteSummary] = []
    public private(set) var incarnation: UInt64 = 0
    public private(set) var lastSequence: UInt64 = 0
    /// When the last report was taken, nil before the first.
    public private(set) var lastReportAt: MonotonicInstant?
    /// When the node was last heard from or connected: its hello, a report,
    /// the end of its session. What `NodeRetention` ages.
    public private(set) var lastContactAt: MonotonicInstant?

    public init(capacity: Int, summaryCapacity: Int) {
        precondition(capacity > 0 && summaryCapacity > 0, "a window holds at least one sample and one summary")
        self.capacity = capacity
        self.summaryCapacity = summaryCapacity
    }

    /// Stores the report's samples that are new (sequence above the last one
    /// stored for this incarnation) and returns the sequence now acknowledged.
    /// A new incarnation restarts the sequence; samples already held stay.
    public mutating func ingest(_ report: Report, at now: MonotonicInstant) -> UInt64 {
        if report.agentIncarnation != incarnation {
            incarnation = report.agentIncarnation
            lastSequence = 0
        }
        for (offset, sample) in report.samples.enumerated() {
            let sequence = report.firstSequence &+ UInt64(offset)
            guard sequence > lastSequence else { continue }
            append(sample)
            lastSequence = sequence
        }
        lastReportAt = now
        noteContact(at: now)
        return lastSequence
    }

    /// The node was heard from (a hello) or its session ended at `now`.
    public mutating func noteContact(at now: MonotonicInstant) {
        lastContactAt = max(lastContactAt ?? now, now)
    }

    /// The sequence already stored for `incarnation`: 0 for any other.
    public func acknowledgedSequence(incarnation candidate: UInt64) -> UInt64 {
        candidate == incarnation ? lastSequence : 0
    }

    public var sampleCount: Int { ring.count }

    /// Full-resolution samples, oldest first.
    public var samples: [Sample] {
        Array(ring[oldest...] + ring[..<oldest])
    }

    public var latest: Sample? {
        ring.isEmpty ? nil : ring[(oldest + ring.count - 1) % ring.count]
    }

    private mutating func append(_ sample: Sample) {
        guard ring.count == capacity else {
            ring.append(sample)
            return
        }
        fold(ring[oldest])
        ring[oldest] = sample
        oldest = (oldest + 1) % capacity
    }

    private mutating func fold(_ sample: Sample) {
        let minute = MinuteSummary.minuteStart(of: sample)
        if summaries.last?.minuteStartMilliseconds != minute {
            if summaries.count == summaryCapacity { summaries.removeFirst() }
            summaries.append(MinuteSummary(minuteStartMilliseconds: minute))
        }
        summaries[summaries.count - 1].fold(sample)
    }
}
