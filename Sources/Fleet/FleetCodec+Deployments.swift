import Primitives
import Rollout

/// Deployment records in the binary form (version 10), as `createDeployment` carries them and
/// snapshots hold them. Texts are held to 256 bytes, lists to their maxima (64 waves,
/// `FleetState.nodesMaximum` nodes, `WaveRecord.decisionsKept` decisions), enumerations to their
/// known values; an optional field is a presence byte, then the value.
extension FleetCodec {
    static func write(_ record: DeploymentRecord, to writer: inout BinaryWriter) {
        for text in [record.id, record.module, record.version, record.environment, record.strategy.rawValue] { writer.write(text) }
        writeStrategyParameters(record.parameters, to: &writer)
        writeGateSettings(record.gate, to: &writer)
        writer.write(record.installConcurrency)
        writer.write(record.createdBy)
        writer.write(record.createdAtMilliseconds)
        writer.write(record.state.rawValue)
        writer.write(record.stateReason)
        writer.write(record.approval != nil)
        if let approval = record.approval { write(approval, to: &writer) }
        writeTable(record.waves, to: &writer, write)
        writeTable(record.nodes, to: &writer, write)
        write(optional: record.finishedAtMilliseconds, to: &writer)
        write(optional: record.pausedAtMilliseconds, to: &writer)
    }

    static func readDeployment(_ reader: inout BinaryReader) throws(BinaryDecodingError) -> DeploymentRecord {
        let id = try readText(&reader)
        let module = try readText(&reader)
        let version = try readText(&reader)
        let environment = try readText(&reader)
        let strategyOffset = reader.offset
        let strategyText = try readText(&reader)
        guard let strategy = RolloutStrategy(rawValue: strategyText) else {
            throw .invalidValue(offset: strategyOffset, detail: "unknown strategy '\(strategyText)'")
        }
        let parameters = try readStrategyParameters(&reader)
        let gate = try readGateSettings(&reader)
        let concurrency = try reader.readUInt16()
        let createdBy = try readText(&reader)
        let createdAt = try reader.readUInt64()
        let state: DeploymentState = try readRaw(&reader, "deployment state")
        let stateReason = try readText(&reader)
        let approval = try reader.readBool() ? try readApproval(&reader) : nil
        let waves = try readTable(&reader, maximum: DeploymentRecord.wavesMaximum, readWave)
        let nodes = try readTable(&reader, maximum: FleetState.nodesMaximum, readDeploymentNode)
        return DeploymentRecord(id: id, module: module, version: version, environment: environment, strategy: strategy,
                                parameters: parameters, gate: gate, installConcurrency: concurrency, createdBy: createdBy,
                                createdAtMilliseconds: createdAt, state: state, stateReason: stateReason, approval: approval,
                                waves: waves, nodes: nodes, finishedAtMilliseconds: try readOptionalUInt64(&reader),
                                pausedAtMilliseconds: try readOptionalUInt64(&reader))
    }

    static func write(_ approval: ApprovalRecord, to writer: inout BinaryWriter) {
        writer.write(approval.expiresAtMilliseconds)
        writer.write(approval.decision.rawValue)
        write(optional: approval.decidedBy, to: &writer)
        writer.write(approval.reason)
        write(optional: approval.decidedAtMilliseconds, to: &writer)
    }

    static func readApproval(_ reader: inout BinaryReader) throws(BinaryDecodingError) -> ApprovalRecord {
        ApprovalRecord(expiresAtMilliseconds: try reader.readUInt64(), decision: try readRaw(&reader, "approval decision"),
                       decidedBy: try readOptionalText(&reader), reason: try readText(&reader),
                       decidedAtMilliseconds: try readOptionalUInt64(&reader))
    }

    static func write(_ wave: WaveRecord, to writer: inout BinaryWriter) {
        writer.write(wave.state.rawValue)
        write(optional: wave.startedAtMilliseconds, to: &writer)
        write(optional: wave.gatingSinceMilliseconds, to: &writer)
        writer.write(wave.baseline != nil)
        if let baseline = wave.baseline { write(baseline, to: &writer) }
        writeTable(Array(wave.decisions.suffix(WaveRecord.decisionsKept)), to: &writer, write)
        writer.write(wave.decisionCount)
        switch wave.passedBy {
        case nil: writer.write(UInt8(0))
        case .gate: writer.write(UInt8(1))
        case let .promoted(user):
            writer.write(UInt8(2))
            writer.write(user)
        case .dryRun: writer.write(UInt8(3))
        }
        write(optional: wave.failure, to: &writer)
    }

    static func readWave(_ reader: inout BinaryReader) throws(BinaryDecodingError) -> WaveRecord {
        let state: WaveState = try readRaw(&reader, "wave state")
        let started = try readOptionalUInt64(&reader)
        let gatingSince = try readOptionalUInt64(&reader)
        let baseline = try reader.readBool() ? try readBaseline(&reader) : nil
        let decisions = try readTable(&reader, maximum: WaveRecord.decisionsKept, readGateDecision)
        let count = try reader.readUInt32()
        let passageOffset = reader.offset
        let passedBy: WavePassage?
        switch try reader.readUInt8() {
        case 0: passedBy = nil
        case 1: passedBy = .gate
        case 2: passedBy = .promoted(by: try readText(&reader))
        case 3: passedBy = .dryRun
        case let other: throw .invalidValue(offset: passageOffset, detail: "unknown wave passage \(other)")
        }
        return WaveRecord(state: state, startedAtMilliseconds: started, gatingSinceMilliseconds: gatingSince, baseline: baseline,
                          decisions: decisions, decisionCount: count, passedBy: passedBy, failure: try readOptionalText(&reader))
    }

    static func write(_ node: DeploymentNode, to writer: inout BinaryWriter) {
        writer.write(node.id)
        writer.write(node.wave)
        write(optional: node.previousVersion, to: &writer)
        writer.write(node.state.rawValue)
        writer.write(node.detail)
    }

    static func readDeploymentNode(_ reader: inout BinaryReader) throws(BinaryDecodingError) -> DeploymentNode {
        DeploymentNode(id: try readText(&reader), wave: try reader.readUInt16(), previousVersion: try readOptionalText(&reader),
                       state: try readRaw(&reader, "deployment node state"), detail: try readText(&reader))
    }

    /// The snapshot's deployments: a table sorted by id, at most `FleetState.deploymentsMaximum`.
    /// What `apply` never holds is refused: a malformed plan, an id held twice, two unfinished
    /// deployments of one module and environment.
    static func readDeploymentTable(_ reader: inout BinaryReader) throws(BinaryDecodingError) -> [String: DeploymentRecord] {
        let offset = reader.offset
        let records = try readTable(&reader, maximum: FleetState.deploymentsMaximum, readDeployment)
        var byID: [String: DeploymentRecord] = [:]
        for record in records {
            if let reason = record.invalidity { throw .invalidValue(offset: offset, detail: "deployment '\(record.id)': \(reason)") }
            guard byID.updateValue(record, forKey: record.id) == nil else {
                throw .invalidValue(offset: offset, detail: "deployment '\(record.id)' held twice")
            }
        }
        guard FleetState.atMostOneUnfinished(byID.values) else {
            throw .invalidValue(offset: offset, detail: "two unfinished deployments of one module and environment")
        }
        return byID
    }

    private static func write(optional value: UInt64?, to writer: inout BinaryWriter) {
        writer.write(value != nil)
        if let value { writer.write(value) }
    }

    private static func write(optional text: String?, to writer: inout BinaryWriter) {
        writer.write(text != nil)
        if let text { writer.write(text) }
    }

    private static func readOptionalUInt64(_ reader: inout BinaryReader) throws(BinaryDecodingError) -> UInt64? {
        try reader.readBool() ? try reader.readUInt64() : nil
    }

    private static func readOptionalText(_ reader: inout BinaryReader) throws(BinaryDecodingError) -> String? {
        try reader.readBool() ? try readText(&reader) : nil
    }
}
