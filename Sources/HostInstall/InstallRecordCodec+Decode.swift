import Modules
import Primitives

/// Decoding: the inverse of `encode`, bounded and strict.
extension InstallRecordCodec {
    public static func decode(_ bytes: [UInt8]) throws(BinaryDecodingError) -> InstallRecord {
        var reader = BinaryReader(bytes, byteOrder: .littleEndian)
        guard try reader.readBytes(magic.count) == magic else {
            throw .invalidValue(offset: 0, detail: "not a module install record (no HSIR magic)")
        }
        let format = try reader.readUInt8()
        guard format == formatVersion else { throw .unsupportedVersion(format) }
        let module = try readName(&reader)
        var record = InstallRecord(module: module, term: try reader.readUInt64())
        record.committed = try readActive(&reader)
        let retainedCount = try readCount(&reader, maximum: InstallLimits.retainedVersionsRange.upperBound, what: "retained versions")
        for _ in 0..<retainedCount { record.retained.append(try readVersion(&reader)) }
        if try reader.readBool() { record.intent = try readIntent(&reader) }
        let completedCount = try readCount(&reader, maximum: InstallLimits.completedOperationsMaximum, what: "completed operations")
        for _ in 0..<completedCount { record.completed.append(try readResult(&reader)) }
        try reader.expectEnd()
        return record
    }

    static func readIntent(_ reader: inout BinaryReader) throws(BinaryDecodingError) -> InstallIntent {
        let operation = try readOperation(&reader)
        let target = try readVersion(&reader)
        let strategyOffset = reader.offset
        guard let strategy = InstallStrategy(rawValue: try reader.readUInt8()) else {
            throw .invalidValue(offset: strategyOffset, detail: "unknown install strategy")
        }
        let step = try readStep(&reader)
        var intent = InstallIntent(operation: operation, target: target, strategy: strategy, step: step, previous: try readActive(&reader))
        intent.targetPort = try readPort(&reader)
        let failedOffset = reader.offset
        let failed = try reader.readUInt8()
        if failed != 0 {
            guard let failedStep = InstallStep(rawValue: failed) else { throw .invalidValue(offset: failedOffset, detail: "unknown step") }
            intent.failedStep = failedStep
        }
        intent.reason = try readReason(&reader)
        intent.interrupted = try reader.readBool()
        return intent
    }

    static func readResult(_ reader: inout BinaryReader) throws(BinaryDecodingError) -> InstallResult {
        let operation = try readOperation(&reader)
        let outcomeOffset = reader.offset
        guard let outcome = InstallResult.Outcome(rawValue: try reader.readUInt8()) else {
            throw .invalidValue(offset: outcomeOffset, detail: "unknown outcome")
        }
        return InstallResult(operation: operation, outcome: outcome, active: try readActive(&reader), reason: try readReason(&reader))
    }

    static func readOperation(_ reader: inout BinaryReader) throws(BinaryDecodingError) -> OperationID {
        let offset = reader.offset
        let deploymentID = try reader.readString(maximumBytes: InstallLimits.deploymentIDBytesMaximum)
        let wave = try reader.readUInt32()
        let kindOffset = reader.offset
        let operation: OperationID
        switch try reader.readUInt8() {
        case 1: operation = OperationID(deploymentID: deploymentID, wave: wave, kind: .install(version: try readVersion(&reader)))
        case 2: operation = OperationID(deploymentID: deploymentID, wave: wave, kind: .switchBack)
        default: throw .invalidValue(offset: kindOffset, detail: "unknown operation kind")
        }
        if let refusal = operation.refusal() { throw .invalidValue(offset: offset, detail: refusal) }
        return operation
    }

    static func readActive(_ reader: inout BinaryReader) throws(BinaryDecodingError) -> ActiveVersion? {
        guard try reader.readBool() else { return nil }
        return ActiveVersion(version: try readVersion(&reader), port: try readPort(&reader))
    }

    static func readStep(_ reader: inout BinaryReader) throws(BinaryDecodingError) -> InstallStep {
        let offset = reader.offset
        guard let step = InstallStep(rawValue: try reader.readUInt8()) else { throw .invalidValue(offset: offset, detail: "unknown step") }
        return step
    }

    static func readPort(_ reader: inout BinaryReader) throws(BinaryDecodingError) -> Int? {
        let port = try reader.readUInt16()
        return port == 0 ? nil : Int(port)
    }

    static func readReason(_ reader: inout BinaryReader) throws(BinaryDecodingError) -> String? {
        guard try reader.readBool() else { return nil }
        return try reader.readString(maximumBytes: InstallLimits.reasonBytesMaximum)
    }

    static func readCount(_ reader: inout BinaryReader, maximum: Int, what: String) throws(BinaryDecodingError) -> Int {
        let offset = reader.offset
        let count = Int(try reader.readUInt8())
        guard count <= maximum else { throw .invalidValue(offset: offset, detail: "\(count) \(what); at most \(maximum)") }
        return count
    }

    static func readName(_ reader: inout BinaryReader) throws(BinaryDecodingError) -> String {
        let offset = reader.offset
        let name = try reader.readString(maximumBytes: moduleBytesMaximum)
        do { try ModuleManifest.checkName(name) } catch { throw .invalidValue(offset: offset, detail: error.description) }
        return name
    }

    static func readVersion(_ reader: inout BinaryReader) throws(BinaryDecodingError) -> String {
        let offset = reader.offset
        let version = try reader.readString(maximumBytes: versionBytesMaximum)
        do { try ModuleManifest.checkVersion(version) } catch { throw .invalidValue(offset: offset, detail: error.description) }
        return version
    }
}
