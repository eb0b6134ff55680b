import Primitives

/// The compact binary form of `Report` and `ReportAck` (layout in `Docs/PROTOCOL.md`, "Agent
/// reports"): a version byte, then LEB128 varints, with timestamps, memory and RSS written as
/// zigzag deltas from the previous sample and module names written once per report.
public enum ReportCodec {
    /// The version this build writes and the only one it reads.
    public static let version: UInt8 = 1

    /// Refuses, before writing anything, a report the decoder would refuse.
    public static func encode(_ report: Report) throws(ReportViolation) -> [UInt8] {
        try ReportViolation.checkHeader(firstSequence: report.firstSequence, sampleCount: report.samples.count)
        var table = ModuleNameTable()
        var moduleIndices: [[Int]] = []
        moduleIndices.reserveCapacity(report.samples.count)
        for (index, sample) in report.samples.enumerated() {
            try ReportViolation.check(sample, index: index)
            var indices: [Int] = []
            for module in sample.modules { indices.append(try table.index(of: module.name)) }
            moduleIndices.append(indices)
        }
        var writer = BinaryWriter(reservingCapacity: 32 + 40 * report.samples.count)
        writer.write(version)
        writer.writeVarint(report.agentIncarnation)
        writer.writeVarint(report.highestSeenTerm)
        writer.writeVarint(report.firstSequence)
        writer.writeVarint(UInt64(table.names.count))
        for name in table.names {
            writer.writeVarint(UInt64(name.utf8.count))
            for byte in name.utf8 { writer.write(byte) }
        }
        writer.writeVarint(UInt64(report.samples.count))
        var bases = ReportDeltaBases(moduleNameCount: table.names.count)
        for (sample, indices) in zip(report.samples, moduleIndices) {
            write(sample, moduleIndices: indices, to: &writer, bases: &bases)
        }
        return writer.bytes
    }

    public static func encode(_ ack: ReportAck) -> [UInt8] {
        var writer = BinaryWriter(reservingCapacity: 21)
        writer.write(version)
        writer.writeVarint(ack.leaderTerm)
        writer.writeVarint(ack.acknowledgedSequence)
        return writer.bytes
    }

    public static func decodeAck(_ bytes: [UInt8]) throws(BinaryDecodingError) -> ReportAck {
        var reader = BinaryReader(bytes)
        try expectVersion(&reader)
        let ack = ReportAck(leaderTerm: try reader.readVarint(), acknowledgedSequence: try reader.readVarint())
        try reader.expectEnd()
        return ack
    }

    static func expectVersion(_ reader: inout BinaryReader) throws(BinaryDecodingError) {
        let found = try reader.readUInt8()
        guard found == version else { throw .unsupportedVersion(found) }
    }

    private static func write(_ sample: Sample, moduleIndices: [Int], to writer: inout BinaryWriter,
                              bases: inout ReportDeltaBases) {
        writer.writeDelta(sample.timestampMilliseconds, from: bases.timestampMilliseconds)
        writer.writeVarint(UInt64(sample.hostCPUBusyBasisPoints))
        writer.writeDelta(sample.hostMemoryTotalBytes, from: bases.hostMemoryTotalBytes)
        writer.writeDelta(sample.hostMemoryUsedBytes, from: bases.hostMemoryUsedBytes)
        writer.writeVarint(optionalWireValue(sample.roundTripMicroseconds))
        writer.writeVarint(UInt64(sample.modules.count))
        for (module, index) in zip(sample.modules, moduleIndices) {
            writer.writeVarint(UInt64(index))
            writer.writeVarint(optionalWireValue(module.cpuBasisPoints))
            writer.writeDelta(module.rssBytes, from: bases.rssBytesByModuleIndex[index])
            writer.writeVarint(probeWireValue(module.probe))
            bases.rssBytesByModuleIndex[index] = module.rssBytes
        }
        bases.advanceHost(past: sample)
    }

    /// 0 when not measured, else the value + 1.
    static func optionalWireValue(_ value: UInt32?) -> UInt64 {
        value.map { UInt64($0) + 1 } ?? 0
    }

    /// 0 not probed, 1 failed, else latency in microseconds + 2.
    static func probeWireValue(_ probe: ProbeResult) -> UInt64 {
        switch probe {
        case .notProbed: 0
        case .failed: 1
        case let .succeeded(latencyMicroseconds): UInt64(latencyMicroseconds) + 2
        }
    }
}
