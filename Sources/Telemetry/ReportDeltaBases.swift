/// The values the next sample's fields are delta-encoded against: the previous sample's, and
/// for a module's RSS its own previous value in this report. All start at zero, so the first
/// occurrence of a field carries its whole value. Encoder and decoder advance it identically.
struct ReportDeltaBases {
    var timestampMilliseconds: UInt64 = 0
    var hostMemoryTotalBytes: UInt64 = 0
    var hostMemoryUsedBytes: UInt64 = 0
    var rssBytesByModuleIndex: [UInt64]

    init(moduleNameCount: Int) {
        rssBytesByModuleIndex = Array(repeating: 0, count: moduleNameCount)
    }

    mutating func advanceHost(past sample: Sample) {
        timestampMilliseconds = sample.timestampMilliseconds
        hostMemoryTotalBytes = sample.hostMemoryTotalBytes
        hostMemoryUsedBytes = sample.hostMemoryUsedBytes
    }
}
