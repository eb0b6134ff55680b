import Telemetry

/// One minute of a node's samples folded together, for the part of the
/// window older than full resolution: counts, sums and extremes, so averages
/// and worst cases survive downsampling.
public struct MinuteSummary: Equatable, Sendable {
    /// Start of the minute, in milliseconds since the Unix epoch.
    public let minuteStartMilliseconds: UInt64
    public private(set) var sampleCount: UInt32 = 0
    public private(set) var hostCPUBusyBasisPointsSum: UInt64 = 0
    public private(set) var hostCPUBusyBasisPointsMaximum: UInt16 = 0
    public private(set) var hostMemoryUsedBytesSum: UInt64 = 0
    public private(set) var hostMemoryTotalBytes: UInt64 = 0
    /// The slowest successful health probe of any module in the minute.
    public private(set) var probeLatencyMicrosecondsMaximum: UInt32?
    public private(set) var probeFailureCount: UInt32 = 0

    init(minuteStartMilliseconds: UInt64) {
        self.minuteStartMilliseconds = minuteStartMilliseconds
    }

    static func minuteStart(of sample: Sample) -> UInt64 {
        sample.timestampMilliseconds - sample.timestampMilliseconds % 60_000
    }

    mutating func fold(_ sample: Sample) {
        sampleCount += 1
        hostCPUBusyBasisPointsSum += UInt64(sample.hostCPUBusyBasisPoints)
        hostCPUBusyBasisPointsMaximum = max(hostCPUBusyBasisPointsMaximum, sample.hostCPUBusyBasisPoints)
        hostMemoryUsedBytesSum &+= sample.hostMemoryUsedBytes
        hostMemoryTotalBytes = sample.hostMemoryTotalBytes
        for module in sample.modules {
            switch module.probe {
            case let .succeeded(latency): probeLatencyMicrosecondsMaximum = max(probeLatencyMicrosecondsMaximum ?? 0, latency)
            case .failed: probeFailureCount += 1
            case .notProbed: break
            }
        }
    }

    public var hostCPUBusyBasisPointsAverage: UInt64 {
        sampleCount == 0 ? 0 : hostCPUBusyBasisPointsSum / UInt64(sampleCount)
    }

    public var hostMemoryUsedBytesAverage: UInt64 {
        sampleCount == 0 ? 0 : hostMemoryUsedBytesSum / UInt64(sampleCount)
    }
}
