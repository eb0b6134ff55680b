/// How far a metric may move before the gate calls it unsettled or regressed: the larger of a
/// share of the reference value and an absolute floor in the metric's own unit.
public struct GateBand: Sendable, Equatable {
    /// 1,000 is 10 %.
    public var relativeBasisPoints: UInt32
    public var floor: Double

    public init(relativeBasisPoints: UInt32, floor: Double) {
        self.relativeBasisPoints = relativeBasisPoints
        self.floor = floor
    }

    /// The allowed change around `reference`.
    public func width(around reference: Double) -> Double {
        max(Double(relativeBasisPoints) / 10_000 * abs(reference), floor)
    }
}

/// What a failed gate does to its deployment. Raw values are stored: never reuse one.
public enum GateFailurePolicy: UInt8, Sendable, CaseIterable {
    /// Switch every node of the waves so far back to its previous version.
    case rollback = 1
    /// Hold the deployment until someone resumes, rolls back or aborts it.
    case pause = 2
    /// A dry run: record the verdict and go on as if the wave had passed.
    case recordOnly = 3
}

/// The stabilization gate's settings (Docs/DEPLOYMENTS.md, "The gate"): per environment,
/// overridable per deployment. Times in milliseconds, bands per metric family.
public struct GateSettings: Sendable, Equatable {
    public var pollIntervalMilliseconds: UInt32 = 30_000
    public var minimumWaitMilliseconds: UInt32 = 120_000
    public var maximumWaitMilliseconds: UInt32 = 1_800_000
    /// Stable polls in a row before a wave may proceed.
    public var consecutiveStable: UInt8 = 3
    /// Polls in a row with a node regressed or over a ceiling (or too many nodes silent) that fail the wave.
    public var consecutiveFailing: UInt8 = 3
    /// Host and module CPU; the floor is in percentage points.
    public var cpuBand = GateBand(relativeBasisPoints: 1_000, floor: 2)
    /// Host memory (floor in percentage points) and module memory (floor in MiB).
    public var memoryBand = GateBand(relativeBasisPoints: 1_000, floor: 2)
    /// Probe latency; the floor is in milliseconds.
    public var latencyBand = GateBand(relativeBasisPoints: 1_500, floor: 2)
    public var hostCPUCeilingPercent: UInt8 = 80
    public var hostMemoryCeilingPercent: UInt8 = 80
    /// Nodes of a wave that may have no data in a poll while the wave still counts as stable; nil
    /// means none, or 10 % (rounded down) of a wave over 20 nodes.
    public var noDataMaximumNodes: UInt32?
    public var onFailure: GateFailurePolicy = .rollback

    public static let pollIntervalMilliseconds: ClosedRange<UInt32> = 1_000...600_000
    public static let waitMillisecondsMaximum: UInt32 = 86_400_000
    public static let consecutivePolls: ClosedRange<UInt8> = 1...20
    public static let floorMaximum: Double = 1_000_000

    public init() {}

    public func band(for metric: GateMetric) -> GateBand {
        switch metric {
        case .hostCPU, .moduleCPU: cpuBand
        case .hostMemory, .moduleMemory: memoryBand
        case .probeLatency: latencyBand
        }
    }

    /// The ceiling a metric must stay under, in its unit, or nil when it has none: the module's
    /// metrics, and a host ceiling of 100 %, which a host fully busy or full would not pass either.
    public func ceiling(for metric: GateMetric) -> Double? {
        switch metric {
        case .hostCPU: hostCPUCeilingPercent < 100 ? Double(hostCPUCeilingPercent) : nil
        case .hostMemory: hostMemoryCeilingPercent < 100 ? Double(hostMemoryCeilingPercent) : nil
        case .probeLatency, .moduleCPU, .moduleMemory: nil
        }
    }

    /// How many nodes of a wave of `waveSize` may have no data in a stable poll: never the whole
    /// wave (an explicit count is capped at the wave's size minus one), so a wave with no node
    /// reporting is always "no data".
    public func noDataAllowance(waveSize: Int) -> Int {
        if let noDataMaximumNodes { return min(Int(noDataMaximumNodes), max(waveSize - 1, 0)) }
        return waveSize > 20 ? waveSize / 10 : 0
    }

    /// Why these settings cannot be used, or nil.
    public func refusal() -> String? {
        if !Self.pollIntervalMilliseconds.contains(pollIntervalMilliseconds) {
            return "the poll interval must be 1 s to 10 min"
        }
        if minimumWaitMilliseconds > maximumWaitMilliseconds || maximumWaitMilliseconds > Self.waitMillisecondsMaximum {
            return "the minimum wait must not exceed the maximum wait, nor that 24 h"
        }
        if maximumWaitMilliseconds < pollIntervalMilliseconds { return "the maximum wait must be at least one poll interval" }
        if !Self.consecutivePolls.contains(consecutiveStable) || !Self.consecutivePolls.contains(consecutiveFailing) {
            return "consecutive polls must be 1 to 20"
        }
        if (UInt64(consecutiveStable) + 1) * UInt64(pollIntervalMilliseconds) > UInt64(maximumWaitMilliseconds) {
            // The first poll is never settled, so the earliest a wave can proceed is poll consecutiveStable + 1.
            return "the maximum wait must be at least (stable polls in a row + 1) poll intervals"
        }
        for band in [cpuBand, memoryBand, latencyBand] {
            guard band.relativeBasisPoints <= 10_000, band.floor.isFinite, (0...Self.floorMaximum).contains(band.floor) else {
                return "a band is at most 100 % with a floor of 0 to 1,000,000"
            }
        }
        if !(1...100).contains(hostCPUCeilingPercent) || !(1...100).contains(hostMemoryCeilingPercent) {
            return "ceilings must be 1 to 100 %"
        }
        if let noDataMaximumNodes, noDataMaximumNodes > 16_384 { return "at most 16,384 nodes may be allowed no data" }
        return nil
    }
}
