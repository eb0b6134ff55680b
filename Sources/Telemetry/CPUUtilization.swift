/// How busy the host's CPUs were between two `/proc/stat` snapshots:
/// `busy = Δ(total − idle − iowait) / Δtotal`, the same figure as
/// `1 − rate(node_cpu_seconds_total{mode=~"idle|iowait"}) / rate(node_cpu_seconds_total)`.
public struct CPUUtilization: Equatable, Sendable {
    /// Busy ticks in the interval, never more than `elapsedTicks`.
    public let busyTicks: UInt64
    /// Ticks of all CPUs together in the interval (a 2-CPU host accrues 200 per second).
    public let elapsedTicks: UInt64

    /// Busy share in basis points of all CPUs, 0 to 10,000, rounded half up.
    public var busyBasisPoints: UInt16 {
        let basisPoints = ScaledRatio.rounded(UInt128(busyTicks) * 10_000, over: UInt128(elapsedTicks)) ?? 0
        return UInt16(min(basisPoints, 10_000))
    }

    /// Busy share as a fraction from 0 to 1.
    public var busyFraction: Double {
        elapsedTicks == 0 ? 0 : Double(busyTicks) / Double(elapsedTicks)
    }

    /// The utilization from `earlier` to `later`, or nil when there is nothing to measure:
    /// no ticks elapsed (equal snapshots), or a counter went backwards (the host rebooted,
    /// or the snapshots are swapped). `iowait` alone may legitimately decrease (kernel
    /// `proc.rst`), which can make busy exceed elapsed; busy is then capped at elapsed.
    public static func between(_ earlier: CPUTimes, _ later: CPUTimes) -> CPUUtilization? {
        guard later.totalTicks > earlier.totalTicks, later.busyTicks >= earlier.busyTicks else { return nil }
        let elapsedTicks = later.totalTicks - earlier.totalTicks
        let busyTicks = min(later.busyTicks - earlier.busyTicks, elapsedTicks)
        return CPUUtilization(busyTicks: busyTicks, elapsedTicks: elapsedTicks)
    }
}
