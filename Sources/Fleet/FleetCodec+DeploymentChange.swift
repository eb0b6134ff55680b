import Primitives
import Rollout

/// What a deployment command changed, in a forwarded write's answer (`FleetOutcome.deploymentStored`):
/// a tag byte, then the case's fields. Unversioned, as nothing stores it.
extension FleetCodec {
    static func write(_ change: DeploymentChange, to writer: inout BinaryWriter) {
        switch change {
        case .created: writer.write(UInt8(1))
        case let .approval(decision):
            writer.write(UInt8(2))
            writer.write(decision.rawValue)
        case let .action(action):
            writer.write(UInt8(3))
            writer.write(action.rawValue)
        case let .wave(index, state):
            writer.write(UInt8(4))
            writer.write(index)
            writer.write(state.rawValue)
        case let .node(id, state):
            writer.write(UInt8(5))
            writer.write(id)
            writer.write(state.rawValue)
        case let .gate(wave, verdict, reason):
            writer.write(UInt8(6))
            writer.write(wave)
            writer.write(verdict.rawValue)
            writer.write(reason.rawValue)
        case .unchanged: writer.write(UInt8(7))
        }
    }

    static func readDeploymentChange(_ reader: inout BinaryReader) throws(BinaryDecodingError) -> DeploymentChange {
        let offset = reader.offset
        switch try reader.readUInt8() {
        case 1: return .created
        case 2: return .approval(try readRaw(&reader, "approval decision"))
        case 3: return .action(try readRaw(&reader, "deployment action"))
        case 4: return .wave(index: try reader.readUInt16(), state: try readRaw(&reader, "wave state"))
        case 5: return .node(id: try readText(&reader), state: try readRaw(&reader, "deployment node state"))
        case 6:
            return .gate(wave: try reader.readUInt16(), verdict: try readRaw(&reader, "gate verdict"),
                         reason: try readRaw(&reader, "gate reason"))
        case 7: return .unchanged
        case let other: throw .invalidValue(offset: offset, detail: "unknown deployment change \(other)")
        }
    }
}
