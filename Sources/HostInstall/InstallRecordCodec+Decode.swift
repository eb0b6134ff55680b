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
        var record = InstallRecord(module: module, term: try reader.readUInt64(), sequence: try reader.readUInt64())
        record.committed = try readActive(&reader)
        let committed = record.committed?.version
        record.retained = try readVersions(&reader, maximum: InstallLimits.retainedVersionsRange.upperBound, what: "retained versions",
                                           excluding: committed)
        record.toStop = try readVersions(&reader, maximum: InstallLimits.toStopMaximum, what: "versions to stop", excluding: committed)
        if try reader.readBool() {
            let offset = reader.offset
            let intent = try readIntent(&reader)
            if let refusal = refusal(intent, committed: record.committed) ?? switchBackRefusal(intent, retained: record.retained) {
                throw .invalidValue(offset: offset, detail: refusal)
            }
            record.intent = intent
        }
        let completedCount = try readCount(&reader, maximum: InstallLimits.completedOperationsMaximum, what: "completed operations")
        for _ in 0..<completedCount { record.completed.append(try readResult(&reader)) }
        try reader.expectEnd()
        return record
    }

    /// Distinct versions, none of them the committed one.
    static func readVersions(_ reader: inout BinaryReader, maximum: Int, what: String,
                             excluding committed: String?) throws(BinaryDecodingError) -> [String] {
        let count = try readCount(&reader, maximum: maximum, what: what)
        var versions: [String] = []
        for _ in 0..<count {
            let offset = reader.offset
            let version = try readVersion(&reader)
            guard version != committed, !versions.contains(version) else {
                throw .invalidValue(offset: offset, detail: "\(what) list \(version) twice or beside the committed version")
            }
            versions.append(version)
        }
        return versions
    }

    /// Why an intent cannot be one the core made, or nil: its previous version is the committed
    /// one and not its target, a step that needs a previous version has one, and a failed step
    /// (a forward one) is there exactly while switching back, with the reason only beside it.
    static func refusal(_ intent: InstallIntent, committed: ActiveVersion?) -> String? {
        if intent.previous != committed { return "the operation in flight began from another version than the committed one" }
        if intent.target == committed?.version { return "the operation in flight targets the committed version" }
        let needsPrevious: Set<InstallStep> = [.stopPrevious, .stopPreviousAfterSwitch, .rollbackStartPrevious]
        if intent.previous == nil && needsPrevious.contains(intent.step) { return "step '\(intent.step)' needs a previous version" }
        if (intent.failedStep != nil) != intent.step.isRollback { return "a failed step is recorded exactly while switching back" }
        if intent.failedStep?.isRollback == true { return "the failed step is a switch-back step" }
        if intent.reason != nil && intent.failedStep == nil { return "a reason without a failed step" }
        return nil
    }

    /// Why a switch back in flight cannot be one the core made, or nil: an ordinary one began from
    /// the version it undoes; a withdrawal (targeting that version) began with nothing retained
    /// and is only ever in its switch-back steps, from the failed switch of `current`.
    static func switchBackRefusal(_ intent: InstallIntent, retained: [String]) -> String? {
        guard case let .switchBack(from) = intent.operation.kind else { return nil }
        guard intent.isWithdrawal else {
            return intent.previous?.version == from ? nil : "a switch back from \(from) in flight began from another version"
        }
        guard intent.previous == nil, retained.isEmpty, intent.step.isRollback, intent.failedStep == .link else {
            return "a withdrawal of \(from) in a state no withdrawal reaches"
        }
        return nil
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
        let attempt = try reader.readUInt32()
        let kindOffset = reader.offset
        let kind: OperationID.Kind
        switch try reader.readUInt8() {
        case 1: kind = .install(version: try readVersion(&reader))
        case 2: kind = .switchBack(from: try readVersion(&reader))
        default: throw .invalidValue(offset: kindOffset, detail: "unknown operation kind")
        }
        let operation = OperationID(deploymentID: deploymentID, wave: wave, attempt: attempt, kind: kind)
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
        let name = try reader.readString(maximumBytes: ManifestLimits.nameBytesMaximum)
        do { try ModuleManifest.checkName(name) } catch { throw .invalidValue(offset: offset, detail: error.description) }
        return name
    }

    static func readVersion(_ reader: inout BinaryReader) throws(BinaryDecodingError) -> String {
        let offset = reader.offset
        let version = try reader.readString(maximumBytes: ManifestLimits.versionBytesMaximum)
        do { try ModuleManifest.checkVersion(version) } catch { throw .invalidValue(offset: offset, detail: error.description) }
        return version
    }
}
