@testable import Consensus
import Primitives

/// One seed's cluster and fault profile, drawn from the seed so that runs differ widely:
/// timeouts, drift bound, flow-control bounds, latency, loss and duplication rates.
struct SimulationParameters: CustomStringConvertible {
    var voterCount: Int
    var spareCount = 2
    var electionTimeoutTicks: Int
    var heartbeatIntervalTicks: Int
    var clockDriftBoundPercent: Int
    var preVote: Bool
    var inflightMessagesMaximum: Int
    var inflightBytesMaximum: Int
    var messageBytesMaximum: Int
    var tickIntervalMicros: Int64 = 10_000
    var latencyMinimumMicros: Int64
    var latencyMaximumMicros: Int64
    var dropPercent: Int
    var duplicatePercent: Int
    var diskLatencyMaximumMicros: Int64
    var chaosGapMaximumMicros: Int64
    var chaosDurationMicros: Int64
    var calmDurationMicros: Int64
    /// Percent of persists that fail (a failed fsync, or a power cut mid-write).
    var failedWritePercent: Int
    /// After the calm phase: no new proposals, so that every live member can catch up.
    var drainDurationMicros: Int64 = 600_000

    var nodeCount: Int { voterCount + spareCount }

    /// Latency bound once the faults stop: a heartbeat's round trip (plus disk and one
    /// heartbeat interval at the slowest clock) must fit in the lease at the fastest clock, or
    /// the leader never holds a lease long enough to act — a configuration that is safe but
    /// not live (e.g. T = 5 ticks, 20 % drift: a 2-tick lease against 40 ms round trips).
    var calmLatencyMaximumMicros: Int64 {
        let lease = Int64(Lease.durationTicks(electionTimeoutTicks: electionTimeoutTicks, clockDriftBoundPercent: clockDriftBoundPercent))
        let leaseMicros = lease * tickIntervalMicros * 100 / Int64(100 + clockDriftBoundPercent)
        let heartbeatMicros = Int64(heartbeatIntervalTicks) * tickIntervalMicros * 100 / Int64(100 - clockDriftBoundPercent)
        let budget = (leaseMicros - heartbeatMicros - diskLatencyMaximumMicros) / 2
        return max(latencyMinimumMicros, min(latencyMaximumMicros, budget))
    }

    static func draw(_ random: inout SplitMix64) -> SimulationParameters {
        func pick(_ range: ClosedRange<Int>) -> Int {
            range.lowerBound + Int(random.next(below: UInt64(range.count)))
        }
        // One voter with learners is how a cluster grows from its first member.
        let voters = [1, 3, 3, 3, 5, 5][pick(0...5)]
        let timeout = pick(5...12)
        let drift = [0, 5, 10, 10, 20][pick(0...4)]
        let lease = Lease.durationTicks(electionTimeoutTicks: timeout, clockDriftBoundPercent: drift)
        let latencyMaximum = Int64([500, 3_000, 8_000, 20_000][pick(0...3)])
        return SimulationParameters(
            voterCount: voters,
            electionTimeoutTicks: timeout,
            heartbeatIntervalTicks: pick(1...max(1, min(3, lease - 1))),
            clockDriftBoundPercent: drift,
            preVote: random.next(below: 8) != 0,
            inflightMessagesMaximum: pick(1...8),
            inflightBytesMaximum: [64, 256, 4_096][pick(0...2)],
            messageBytesMaximum: [40, 128, 1_024][pick(0...2)],
            latencyMinimumMicros: 100,
            latencyMaximumMicros: latencyMaximum,
            dropPercent: [0, 2, 10, 25][pick(0...3)],
            duplicatePercent: [0, 2, 10][pick(0...2)],
            diskLatencyMaximumMicros: Int64([200, 2_000][pick(0...1)]),
            chaosGapMaximumMicros: Int64([5_000, 20_000, 60_000][pick(0...2)]),
            chaosDurationMicros: 800_000,
            calmDurationMicros: 800_000,
            failedWritePercent: [0, 1, 3, 10][pick(0...3)])
    }

    func configuration(for id: NodeID, seed: UInt64, incarnation: Int) -> RaftConfiguration {
        RaftConfiguration(
            id: id,
            electionTimeoutTicks: electionTimeoutTicks,
            heartbeatIntervalTicks: heartbeatIntervalTicks,
            preVote: preVote,
            checkQuorum: true,
            inflightMessagesMaximum: inflightMessagesMaximum,
            inflightBytesMaximum: inflightBytesMaximum,
            messageBytesMaximum: messageBytesMaximum,
            uncommittedBytesMaximum: max(messageBytesMaximum, 16_384),
            clockDriftBoundPercent: clockDriftBoundPercent,
            randomSeed: seed &* 0x9E37_79B9 ^ UInt64(incarnation) << 40)
    }

    /// True tick intervals allowed by the drift bound: P/(1+d) ... P/(1-d), in microseconds.
    var tickIntervalRangeMicros: ClosedRange<Int64> {
        let fastest = (tickIntervalMicros * 100 + Int64(100 + clockDriftBoundPercent) - 1) / Int64(100 + clockDriftBoundPercent)
        let slowest = tickIntervalMicros * 100 / Int64(100 - clockDriftBoundPercent)
        return fastest...slowest
    }

    var description: String {
        "voters=\(voterCount) T=\(electionTimeoutTicks) heartbeat=\(heartbeatIntervalTicks) drift=\(clockDriftBoundPercent)% "
            + "preVote=\(preVote) inflight=\(inflightMessagesMaximum)/\(inflightBytesMaximum)B message=\(messageBytesMaximum)B "
            + "latency≤\(latencyMaximumMicros)µs drop=\(dropPercent)% dup=\(duplicatePercent)% failedWrites=\(failedWritePercent)%"
    }
}
