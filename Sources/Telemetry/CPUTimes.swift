/// The aggregate `cpu` line of `/proc/stat`: time every CPU has spent in each state since
/// boot, in clock ticks (`USER_HZ`, `getconf CLK_TCK`, 100 on Linux). `guest` and
/// `guest_nice` are already counted inside `user` and `nice` (kernel `proc.rst`), so they are
/// kept for information but not added to the total, exactly as node_exporter leaves them out
/// of `node_cpu_seconds_total`.
public struct CPUTimes: Equatable, Sendable {
    public var userTicks: UInt64
    public var niceTicks: UInt64
    public var systemTicks: UInt64
    public var idleTicks: UInt64
    public var iowaitTicks: UInt64
    public var irqTicks: UInt64
    public var softirqTicks: UInt64
    public var stealTicks: UInt64
    public var guestTicks: UInt64
    public var guestNiceTicks: UInt64

    public init(userTicks: UInt64 = 0, niceTicks: UInt64 = 0, systemTicks: UInt64 = 0, idleTicks: UInt64 = 0,
                iowaitTicks: UInt64 = 0, irqTicks: UInt64 = 0, softirqTicks: UInt64 = 0, stealTicks: UInt64 = 0,
                guestTicks: UInt64 = 0, guestNiceTicks: UInt64 = 0) {
        self.userTicks = userTicks
        self.niceTicks = niceTicks
        self.systemTicks = systemTicks
        self.idleTicks = idleTicks
        self.iowaitTicks = iowaitTicks
        self.irqTicks = irqTicks
        self.softirqTicks = softirqTicks
        self.stealTicks = stealTicks
        self.guestTicks = guestTicks
        self.guestNiceTicks = guestNiceTicks
    }

    /// Ticks spent doing work: user, nice, system, irq, softirq and steal (stolen time is
    /// time this host wanted to run and could not, so it counts against the host).
    /// Saturates at `UInt64.max`; `ProcStat.parse` refuses lines whose sum does not fit.
    public var busyTicks: UInt64 {
        Self.saturatingSum([userTicks, niceTicks, systemTicks, irqTicks, softirqTicks, stealTicks])
    }

    /// All eight accounted states: busy plus idle and iowait. Saturates like `busyTicks`.
    public var totalTicks: UInt64 {
        Self.saturatingSum([busyTicks, idleTicks, iowaitTicks])
    }

    static func checkedSum(_ values: [UInt64]) -> UInt64? {
        var sum: UInt64 = 0
        for value in values {
            let (next, overflow) = sum.addingReportingOverflow(value)
            guard !overflow else { return nil }
            sum = next
        }
        return sum
    }

    private static func saturatingSum(_ values: [UInt64]) -> UInt64 {
        checkedSum(values) ?? UInt64.max
    }
}
