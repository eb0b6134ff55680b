import Primitives
import Rollout

/// Gate settings and strategy parameters in the binary form (version 10), shared by an
/// environment's rollout policy and a deployment's own settings. Floors are IEEE-754 doubles by
/// bit pattern; an absent optional count is a 0 flag byte. Decoding refuses what
/// `GateSettings.refusal()` or `StrategyParameters.refusal()` refuses.
extension FleetCodec {
    static func writeGateSettings(_ settings: GateSettings, to writer: inout BinaryWriter) {
        writer.write(settings.pollIntervalMilliseconds)
        writer.write(settings.minimumWaitMilliseconds)
        writer.write(settings.maximumWaitMilliseconds)
        writer.write(settings.consecutiveStable)
        writer.write(settings.consecutiveFailing)
        for band in [settings.cpuBand, settings.memoryBand, settings.latencyBand] {
            writer.write(band.relativeBasisPoints)
            writer.write(band.floor.bitPattern)
        }
        writer.write(settings.hostCPUCeilingPercent)
        writer.write(settings.hostMemoryCeilingPercent)
        writeOptional(settings.noDataMaximumNodes, to: &writer)
        writer.write(settings.onFailure.rawValue)
    }

    static func readGateSettings(_ reader: inout BinaryReader) throws(BinaryDecodingError) -> GateSettings {
        let offset = reader.offset
        var settings = GateSettings()
        settings.pollIntervalMilliseconds = try reader.readUInt32()
        settings.minimumWaitMilliseconds = try reader.readUInt32()
        settings.maximumWaitMilliseconds = try reader.readUInt32()
        settings.consecutiveStable = try reader.readUInt8()
        settings.consecutiveFailing = try reader.readUInt8()
        settings.cpuBand = try readBand(&reader)
        settings.memoryBand = try readBand(&reader)
        settings.latencyBand = try readBand(&reader)
        settings.hostCPUCeilingPercent = try reader.readUInt8()
        settings.hostMemoryCeilingPercent = try reader.readUInt8()
        settings.noDataMaximumNodes = try readOptionalUInt32(&reader)
        let policyOffset = reader.offset
        let policy = try reader.readUInt8()
        guard let onFailure = GateFailurePolicy(rawValue: policy) else {
            throw .invalidValue(offset: policyOffset, detail: "unknown gate failure policy \(policy)")
        }
        settings.onFailure = onFailure
        if let refusal = settings.refusal() { throw .invalidValue(offset: offset, detail: refusal) }
        return settings
    }

    static func writeStrategyParameters(_ parameters: StrategyParameters, to writer: inout BinaryWriter) {
        writeOptional(parameters.rollingBatchSize, to: &writer)
        // Written in full (up to the 255 its count byte holds): the reader refuses more than it accepts.
        let steps = parameters.canaryPercents.prefix(Int(UInt8.max))
        writer.write(UInt8(steps.count))
        writer.write(contentsOf: steps)
    }

    static func readStrategyParameters(_ reader: inout BinaryReader) throws(BinaryDecodingError) -> StrategyParameters {
        let offset = reader.offset
        let rollingBatchSize = try readOptionalUInt32(&reader)
        let count = Int(try reader.readUInt8())
        guard count <= StrategyParameters.canaryStepsMaximum else {
            throw .invalidValue(offset: offset, detail: "\(count) canary steps; at most \(StrategyParameters.canaryStepsMaximum)")
        }
        let parameters = StrategyParameters(rollingBatchSize: rollingBatchSize, canaryPercents: try reader.readBytes(count))
        if let refusal = parameters.refusal() { throw .invalidValue(offset: offset, detail: refusal) }
        return parameters
    }

    private static func readBand(_ reader: inout BinaryReader) throws(BinaryDecodingError) -> GateBand {
        GateBand(relativeBasisPoints: try reader.readUInt32(), floor: Double(bitPattern: try reader.readUInt64()))
    }

    private static func writeOptional(_ value: UInt32?, to writer: inout BinaryWriter) {
        writer.write(value != nil)
        if let value { writer.write(value) }
    }

    private static func readOptionalUInt32(_ reader: inout BinaryReader) throws(BinaryDecodingError) -> UInt32? {
        try reader.readBool() ? try reader.readUInt32() : nil
    }
}
