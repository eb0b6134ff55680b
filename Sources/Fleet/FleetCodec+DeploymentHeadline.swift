import Primitives
import Rollout

/// A deployment's headline in a forwarded write's answer (`FleetOutcome.deploymentSummarized`,
/// fleet version 11): the texts as in a record, the counts bounded by a record's (64 waves,
/// `FleetState.nodesMaximum` nodes). Unversioned, as nothing stores it.
extension FleetCodec {
    /// The fleet version of the first builds that decode `FleetOutcome.deploymentSummarized`.
    public static let deploymentHeadlineVersion: UInt8 = 11

    static func write(_ headline: DeploymentHeadline, to writer: inout BinaryWriter) {
        for text in [headline.id, headline.module, headline.version, headline.environment, headline.strategy.rawValue] {
            writer.write(text)
        }
        writer.write(headline.state.rawValue)
        writer.write(headline.stateReason)
        writer.write(headline.createdBy)
        writer.write(headline.createdAtMilliseconds)
        writer.write(headline.finishedAtMilliseconds != nil)
        if let finished = headline.finishedAtMilliseconds { writer.write(finished) }
        writer.write(headline.approval != nil)
        if let approval = headline.approval { write(approval, to: &writer) }
        writer.write(UInt16(truncatingIfNeeded: headline.waveCount))
        writer.write(UInt16(truncatingIfNeeded: headline.wavesPassed))
        writer.write(headline.activeWave != nil)
        if let active = headline.activeWave { writer.write(UInt16(truncatingIfNeeded: active)) }
        writer.write(UInt32(truncatingIfNeeded: headline.nodeCount))
    }

    static func readDeploymentHeadline(_ reader: inout BinaryReader) throws(BinaryDecodingError) -> DeploymentHeadline {
        let texts = [try readText(&reader), try readText(&reader), try readText(&reader), try readText(&reader)]
        let strategyOffset = reader.offset
        let strategyText = try readText(&reader)
        guard let strategy = RolloutStrategy(rawValue: strategyText) else {
            throw .invalidValue(offset: strategyOffset, detail: "unknown strategy '\(strategyText)'")
        }
        let state: DeploymentState = try readRaw(&reader, "deployment state")
        let stateReason = try readText(&reader)
        let createdBy = try readText(&reader)
        let createdAt = try reader.readUInt64()
        let finishedAt = try reader.readBool() ? try reader.readUInt64() : nil
        let approval = try reader.readBool() ? try readApproval(&reader) : nil
        let countsOffset = reader.offset
        let waveCount = Int(try reader.readUInt16())
        let wavesPassed = Int(try reader.readUInt16())
        let activeWave = try reader.readBool() ? Int(try reader.readUInt16()) : nil
        let nodeCount = Int(try reader.readUInt32())
        guard waveCount <= DeploymentRecord.wavesMaximum, wavesPassed <= waveCount, (activeWave ?? 0) < max(waveCount, 1),
              nodeCount <= FleetState.nodesMaximum else {
            throw .invalidValue(offset: countsOffset, detail: "deployment counts out of range: \(waveCount) waves, "
                + "\(wavesPassed) passed, active \(activeWave.map { "\($0)" } ?? "none"), \(nodeCount) nodes")
        }
        let headline = DeploymentHeadline(id: texts[0], module: texts[1], version: texts[2], environment: texts[3],
                                          strategy: strategy, state: state, stateReason: stateReason, createdBy: createdBy,
                                          createdAtMilliseconds: createdAt, finishedAtMilliseconds: finishedAt, approval: approval,
                                          waveCount: waveCount, wavesPassed: wavesPassed, activeWave: activeWave, nodeCount: nodeCount)
        return headline
    }
}
