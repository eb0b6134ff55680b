import Primitives
import Rollout

/// The fields of the deployment and approval commands (version 10, tags 35 to 43): a deployment
/// id first, then each case's fields in their declared order; texts held to 256 bytes.
extension FleetCodec {
    static func writeDeploymentFields(of command: FleetCommand, to writer: inout BinaryWriter) {
        switch command {
        case let .createDeployment(record): write(record, to: &writer)
        case let .decideApproval(id, approve, by, reason, at):
            writer.write(id)
            writer.write(approve)
            writer.write(by)
            writer.write(reason)
            writer.write(at)
        case let .expireApproval(id, at):
            writer.write(id)
            writer.write(at)
        case let .startWave(id, wave, baseline, at):
            writer.write(id)
            writer.write(wave)
            write(baseline, to: &writer)
            writer.write(at)
        case let .recordNodeInstall(id, node, succeeded, detail, at), let .recordNodeRollback(id, node, succeeded, detail, at):
            writer.write(id)
            writer.write(node)
            writer.write(succeeded)
            writer.write(detail)
            writer.write(at)
        case let .recordGateDecision(id, wave, decision, at):
            writer.write(id)
            writer.write(wave)
            write(decision, to: &writer)
            writer.write(at)
        case let .controlDeployment(id, action, by, reason, at):
            writer.write(id)
            writer.write(action.rawValue)
            writer.write(by)
            writer.write(reason)
            writer.write(at)
        case let .compactDeployments(before): writer.write(before)
        default: assertionFailure("not a deployment command")
        }
    }

    static func readDeploymentCommand(_ tag: Tag?, _ reader: inout BinaryReader,
                                      tagOffset: Int) throws(BinaryDecodingError) -> FleetCommand {
        switch tag {
        case .createDeployment: return .createDeployment(try readDeployment(&reader))
        case .decideApproval:
            return .decideApproval(id: try readText(&reader), approve: try reader.readBool(), by: try readText(&reader),
                                   reason: try readText(&reader), atMilliseconds: try reader.readUInt64())
        case .expireApproval: return .expireApproval(id: try readText(&reader), atMilliseconds: try reader.readUInt64())
        case .startWave:
            return .startWave(id: try readText(&reader), wave: try reader.readUInt16(), baseline: try readBaseline(&reader),
                              atMilliseconds: try reader.readUInt64())
        case .recordNodeInstall:
            return .recordNodeInstall(id: try readText(&reader), node: try readText(&reader), succeeded: try reader.readBool(),
                                      detail: try readText(&reader), atMilliseconds: try reader.readUInt64())
        case .recordNodeRollback:
            return .recordNodeRollback(id: try readText(&reader), node: try readText(&reader), succeeded: try reader.readBool(),
                                       detail: try readText(&reader), atMilliseconds: try reader.readUInt64())
        case .recordGateDecision:
            return .recordGateDecision(id: try readText(&reader), wave: try reader.readUInt16(), decision: try readGateDecision(&reader),
                                       atMilliseconds: try reader.readUInt64())
        case .controlDeployment:
            return .controlDeployment(id: try readText(&reader), action: try readRaw(&reader, "deployment action"),
                                      by: try readText(&reader), reason: try readText(&reader), atMilliseconds: try reader.readUInt64())
        case .compactDeployments: return .compactDeployments(beforeMilliseconds: try reader.readUInt64())
        default: throw .invalidValue(offset: tagOffset, detail: "fleet command tag \(tag?.rawValue ?? 0) is no deployment command")
        }
    }
}
