import Primitives

extension ReportCodec {
    /// The fewest bytes a sample takes (six one-byte varints), used to cap what a declared
    /// sample count may reserve.
    static let sampleBytesMinimum = 6

    /// Decodes a report, refusing anything over `ReportLimits`, any value that does not fit its
    /// field, any `ReportViolation`, an unknown version and trailing bytes. Never traps.
    public static func decodeReport(_ bytes: [UInt8]) throws(BinaryDecodingError) -> Report {
        guard bytes.count <= ReportLimits.encodedBytesMaximum else {
            throw .fieldTooLarge(offset: 0, bytes: bytes.count, maximumBytes: ReportLimits.encodedBytesMaximum)
        }
        var reader = BinaryReader(bytes)
        try expectVersion(&reader)
        let agentIncarnation = try reader.readVarint()
        let highestSeenTerm = try reader.readVarint()
        let firstSequence = try reader.readVarint()
        let names = try readModuleNames(&reader)
        let countOffset = reader.offset
        let sampleCount = try reader.readCount(maximum: ReportLimits.samplesMaximum, field: "sample count")
        try reporting(at: countOffset) { () throws(ReportViolation) in
            try ReportViolation.checkHeader(firstSequence: firstSequence, sampleCount: sampleCount)
        }
        var samples: [Sample] = []
        samples.reserveCapacity(min(sampleCount, reader.remainingBytes / sampleBytesMinimum))
        var bases = ReportDeltaBases(moduleNameCount: names.count)
        for index in 0..<sampleCount {
            let sampleOffset = reader.offset
            let sample = try readSample(&reader, names: names, bases: &bases)
            try reporting(at: sampleOffset) { () throws(ReportViolation) in try ReportViolation.check(sample, index: index) }
            samples.append(sample)
        }
        try reader.expectEnd()
        return Report(agentIncarnation: agentIncarnation, highestSeenTerm: highestSeenTerm,
                      firstSequence: firstSequence, samples: samples)
    }

    private static func reporting(at offset: Int, _ check: () throws(ReportViolation) -> Void) throws(BinaryDecodingError) {
        do { try check() } catch { throw .invalidValue(offset: offset, detail: error.description) }
    }

    private static func readModuleNames(_ reader: inout BinaryReader) throws(BinaryDecodingError) -> [String] {
        let count = try reader.readCount(maximum: ReportLimits.moduleNamesMaximum, field: "module name count")
        var names: [String] = []
        var seen = Set<String>()
        for _ in 0..<count {
            let nameOffset = reader.offset
            let byteCount = try reader.readCount(maximum: ReportLimits.moduleNameBytesMaximum, field: "module name length")
            guard byteCount > 0 else { throw .invalidValue(offset: nameOffset, detail: "empty module name") }
            var utf8: [UInt8] = []
            for _ in 0..<byteCount { utf8.append(try reader.readUInt8()) }
            guard let name = String(validating: utf8, as: UTF8.self) else {
                throw .invalidValue(offset: nameOffset, detail: "module name is not UTF-8")
            }
            guard seen.insert(name).inserted else {
                throw .invalidValue(offset: nameOffset, detail: "module name '\(name)' is listed twice")
            }
            names.append(name)
        }
        return names
    }

    private static func readSample(_ reader: inout BinaryReader, names: [String],
                                   bases: inout ReportDeltaBases) throws(BinaryDecodingError) -> Sample {
        let timestampMilliseconds = try reader.readDelta(from: bases.timestampMilliseconds)
        let hostCPUBusyBasisPoints = try reader.readVarint(as: UInt16.self, field: "host CPU basis points")
        let hostMemoryTotalBytes = try reader.readDelta(from: bases.hostMemoryTotalBytes)
        let hostMemoryUsedBytes = try reader.readDelta(from: bases.hostMemoryUsedBytes)
        var sample = Sample(timestampMilliseconds: timestampMilliseconds, hostCPUBusyBasisPoints: hostCPUBusyBasisPoints,
                            hostMemoryUsedBytes: hostMemoryUsedBytes, hostMemoryTotalBytes: hostMemoryTotalBytes,
                            roundTripMicroseconds: try readOptional(&reader, field: "round trip microseconds"))
        let moduleCount = try reader.readCount(maximum: ReportLimits.modulesPerSampleMaximum, field: "module count")
        for _ in 0..<moduleCount {
            sample.modules.append(try readModule(&reader, names: names, bases: &bases))
        }
        bases.advanceHost(past: sample)
        return sample
    }

    private static func readModule(_ reader: inout BinaryReader, names: [String],
                                   bases: inout ReportDeltaBases) throws(BinaryDecodingError) -> ModuleSample {
        let indexOffset = reader.offset
        let index = try reader.readVarint()
        guard index < UInt64(names.count) else {
            throw .invalidValue(offset: indexOffset, detail: "module index \(index) is not in the \(names.count)-name table")
        }
        let cpuBasisPoints = try readOptional(&reader, field: "module CPU basis points")
        let rssBytes = try reader.readDelta(from: bases.rssBytesByModuleIndex[Int(index)])
        bases.rssBytesByModuleIndex[Int(index)] = rssBytes
        return ModuleSample(name: names[Int(index)], cpuBasisPoints: cpuBasisPoints, rssBytes: rssBytes,
                            probe: try readProbe(&reader))
    }

    /// The inverse of `optionalWireValue`: 0 is nil, else the value + 1, which must fit 32 bits.
    private static func readOptional(_ reader: inout BinaryReader, field: String) throws(BinaryDecodingError) -> UInt32? {
        let offset = reader.offset
        let value = try reader.readVarint()
        guard value > 0 else { return nil }
        guard let narrowed = UInt32(exactly: value - 1) else {
            throw .invalidValue(offset: offset, detail: "\(field) \(value - 1) exceeds \(UInt32.max)")
        }
        return narrowed
    }

    private static func readProbe(_ reader: inout BinaryReader) throws(BinaryDecodingError) -> ProbeResult {
        let offset = reader.offset
        switch try reader.readVarint() {
        case 0: return .notProbed
        case 1: return .failed
        case let value:
            guard let microseconds = UInt32(exactly: value - 2) else {
                throw .invalidValue(offset: offset, detail: "probe latency \(value - 2) µs exceeds \(UInt32.max)")
            }
            return .succeeded(latencyMicroseconds: microseconds)
        }
    }
}
