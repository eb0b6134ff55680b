/// How much CPU one process used between two `/proc/PID/stat` snapshots, in basis points of
/// one core: 10,000 is one core fully busy, a process running on two cores shows 20,000.
/// The caller measures the elapsed time with a monotonic clock and passes it in.
public struct ProcessCPUShare: Equatable, Sendable {
    public let basisPointsOfOneCore: UInt32

    /// `Δ(utime + stime) / clockTicksPerSecond / (elapsedNanoseconds / 10⁹)`, rounded half up
    /// and saturated at `UInt32.max`. Nil when it cannot be measured: a different or restarted
    /// process (pid or start time changed), CPU ticks that went backwards, no elapsed time,
    /// or zero ticks per second.
    public static func between(_ earlier: ProcessStat, _ later: ProcessStat, clockTicksPerSecond: UInt64,
                               elapsedNanoseconds: UInt64) -> ProcessCPUShare? {
        guard earlier.pid == later.pid, earlier.startTicks == later.startTicks,
              later.cpuTicks >= earlier.cpuTicks else { return nil }
        let ticks = UInt128(later.cpuTicks - earlier.cpuTicks)
        let basisPointNanosecondsPerSecond: UInt128 = 10_000 * 1_000_000_000
        let denominator = UInt128(clockTicksPerSecond) * UInt128(elapsedNanoseconds)
        guard let basisPoints = ScaledRatio.rounded(ticks * basisPointNanosecondsPerSecond, over: denominator) else {
            return nil
        }
        return ProcessCPUShare(basisPointsOfOneCore: UInt32(min(basisPoints, UInt64(UInt32.max))))
    }
}
