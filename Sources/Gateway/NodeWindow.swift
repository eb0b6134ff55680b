import Primitives
import Telemetry

/// One node's recent samples as the leader holds them: the newest at full
/// resolution in a ring, older ones folded into per-minute summaries; both
/// bounded, so a node costs the same memory after a minute as after a month.
/// It also remembers the agent incarnation and the last sequence stored, so
/// a report resent after a reconnect is stored once. Stored samples share
/// their module names' storage (`sharingNames`).
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

    /// Full-resolution samples taken in `[from, to)` by their timestamps, oldest stored first:
    /// what the stabilization gate reads of a poll window (`GateReadings`).
    public func samples(from: UInt64, to: UInt64) -> [Sample] {
        guard from < to else { return [] }
        var found: [Sample] = []
        for offset in ring.indices {
            let sample = ring[(oldest + offset) % ring.count]
            if (from..<to).contains(sample.timestampMilliseconds) { found.append(sample) }
        }
        return found
    }

    public var latest: Sample? {
        ring.isEmpty ? nil : ring[(oldest + ring.count - 1) % ring.count]
    }

    private mutating func append(_ incoming: Sample) {
        let sample = sharingNames(incoming)
        guard ring.count == capacity else {
            ring.append(sample)
            return
        }
        fold(ring[oldest])
        ring[oldest] = sample
        oldest = (oldest + 1) % capacity
    }

    /// `sample` with each module name replaced by the name with the same bytes
    /// that the newest stored sample holds, if any: a name over 15 UTF-8 bytes
    /// lives on the heap and every decoded report makes new ones, so without
    /// this each sample in the ring kept its own copy of every name. The newest
    /// sample is the whole name table (at most
    /// `ReportLimits.modulesPerSampleMaximum` names), so a name no longer
    /// reported is freed with the last sample that holds it. Bytes decide, not
    /// `==`, which also equates canonically equivalent names (`é` as one scalar
    /// or two), so a stored name is always the one reported.
    private func sharingNames(_ sample: Sample) -> Sample {
        guard let held = latest?.modules, !held.isEmpty else { return sample }
        var shared = sample
        for index in shared.modules.indices {
            let name = shared.modules[index].name
            let sameSlot = held.indices.contains(index) && Self.sameBytes(held[index].name, name)
            if let match = sameSlot ? held[index] : held.first(where: { Self.sameBytes($0.name, name) }) {
                shared.modules[index].name = match.name
            }
        }
        return shared
    }

    private static func sameBytes(_ left: String, _ right: String) -> Bool {
        left.utf8.count == right.utf8.count && left.utf8.elementsEqual(right.utf8)
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
