/// One supervised module's figures in a `Sample`.
public struct ModuleSample: Equatable, Hashable, Sendable {
    /// The module's name as deployed: 1 to `ReportLimits.moduleNameBytesMaximum` UTF-8 bytes.
    public var name: String
    /// CPU used since the previous sample, in basis points of one core (`ProcessCPUShare`):
    /// 10,000 is one full core; a multi-threaded module can exceed it. Nil when it cannot be
    /// measured for this interval because the module started or restarted during it (a swap
    /// does that), which is not the same as an idle module's 0.
    public var cpuBasisPoints: UInt32?
    /// Resident memory (`VmRSS`) in bytes.
    public var rssBytes: UInt64
    /// The health probe taken with this sample.
    public var probe: ProbeResult

    public init(name: String, cpuBasisPoints: UInt32?, rssBytes: UInt64, probe: ProbeResult) {
        self.name = name
        self.cpuBasisPoints = cpuBasisPoints
        self.rssBytes = rssBytes
        self.probe = probe
    }
}
