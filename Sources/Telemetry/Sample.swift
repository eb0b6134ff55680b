/// Everything an agent measured at one instant: the host's CPU and memory, each supervised
/// module, and the round trip to the coordinator. Integers only, units in the names.
public struct Sample: Equatable, Hashable, Sendable {
    /// Wall-clock time of the measurement, in milliseconds since the Unix epoch.
    public var timestampMilliseconds: UInt64
    /// Host CPU busy since the previous sample (`CPUUtilization`), 0 to 10,000 basis points of
    /// all CPUs.
    public var hostCPUBusyBasisPoints: UInt16
    /// `MemTotal − MemAvailable` in bytes; never more than `hostMemoryTotalBytes`.
    public var hostMemoryUsedBytes: UInt64
    /// `MemTotal` in bytes.
    public var hostMemoryTotalBytes: UInt64
    /// Round trip of the agent's latest keepalive ping to the coordinator on its current
    /// connection, in microseconds; nil while not connected or before the connection's first
    /// answer.
    public var roundTripMicroseconds: UInt32?
    /// One entry per supervised module, names distinct, at most
    /// `ReportLimits.modulesPerSampleMaximum`.
    public var modules: [ModuleSample]

    public init(timestampMilliseconds: UInt64, hostCPUBusyBasisPoints: UInt16, hostMemoryUsedBytes: UInt64,
                hostMemoryTotalBytes: UInt64, roundTripMicroseconds: UInt32? = nil, modules: [ModuleSample] = []) {
        self.timestampMilliseconds = timestampMilliseconds
        self.hostCPUBusyBasisPoints = hostCPUBusyBasisPoints
        self.hostMemoryUsedBytes = hostMemoryUsedBytes
        self.hostMemoryTotalBytes = hostMemoryTotalBytes
        self.roundTripMicroseconds = roundTripMicroseconds
        self.modules = modules
    }
}
