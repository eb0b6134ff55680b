import HostInstall
import Primitives

/// Encodes and decodes the agent session messages (hello, welcome,
/// redirect, command, command result): a version byte, varints for numbers,
/// u32-length-prefixed UTF-8 for text, key-sorted pairs for maps; a hello's
/// former leader trails it only when there is one, and so does a command
/// result's install result (`ModuleOrderCodec`, like a module order). Decoding
/// is bounded and refuses trailing bytes, unknown versions and actions.
public enum AgentSessionCodec {
    static let version: UInt8 = 1

    public static func encode(_ hello: AgentHello) -> [UInt8] {
        var writer = VersionedMessage.writer(version, reservingCapacity: 64)
        writer.write(hello.nodeName)
        writer.writeVarint(hello.incarnation)
        writer.writeVarint(hello.highestSeenTerm)
        writer.writeVarint(UInt64(hello.reportIntervalMilliseconds))
        writer.write(hello.environment)
        writePairs(hello.labels, to: &writer)
        writePairs(hello.moduleVersions, to: &writer)
        if let former = hello.formerLeader {
            writer.write(former.name)
            writer.writeVarint(former.term)
        }
        return writer.bytes
    }

    public static func decodeHello(_ bytes: [UInt8]) throws(BinaryDecodingError) -> AgentHello {
        var reader = try VersionedMessage.reader(bytes, version: version)
        let hello = AgentHello(
            nodeName: try reader.readString(maximumBytes: AgentSessionLimits.nameBytesMaximum),
            incarnation: try reader.readVarint(), highestSeenTerm: try reader.readVarint(),
            reportIntervalMilliseconds: try interval(&reader),
            environment: try reader.readString(maximumBytes: AgentSessionLimits.nameBytesMaximum),
            labels: try readPairs(&reader, maximum: AgentSessionLimits.labelsMaximum),
            moduleVersions: try readPairs(&reader, maximum: AgentSessionLimits.modulesMaximum),
            formerLeader: reader.isAtEnd ? nil : FormerLeader(
                name: try reader.readString(maximumBytes: AgentSessionLimits.nameBytesMaximum), term: try reader.readVarint()))
        try reader.expectEnd()
        return hello
    }

    public static func encode(_ welcome: AgentWelcome) -> [UInt8] {
        var writer = VersionedMessage.writer(version, reservingCapacity: 64)
        writer.writeVarint(welcome.leaderTerm)
        writer.write(welcome.leaderName)
        writer.writeVarint(welcome.acknowledgedSequence)
        return writer.bytes
    }

    public static func decodeWelcome(_ bytes: [UInt8]) throws(BinaryDecodingError) -> AgentWelcome {
        var reader = try VersionedMessage.reader(bytes, version: version)
        let welcome = AgentWelcome(leaderTerm: try reader.readVarint(),
                                   leaderName: try reader.readString(maximumBytes: AgentSessionLimits.nameBytesMaximum),
                                   acknowledgedSequence: try reader.readVarint())
        try reader.expectEnd()
        return welcome
    }

    public static func encode(_ redirect: AgentRedirect) -> [UInt8] {
        var writer = VersionedMessage.writer(version, reservingCapacity: 64)
        writer.writeVarint(redirect.term)
        writer.write(redirect.leaderName)
        writer.write(redirect.leaderAgentAddress)
        return writer.bytes
    }

    public static func decodeRedirect(_ bytes: [UInt8]) throws(BinaryDecodingError) -> AgentRedirect {
        var reader = try VersionedMessage.reader(bytes, version: version)
        let redirect = AgentRedirect(term: try reader.readVarint(),
                                     leaderName: try reader.readString(maximumBytes: AgentSessionLimits.nameBytesMaximum),
                                     leaderAgentAddress: try reader.readString(maximumBytes: AgentSessionLimits.textBytesMaximum))
        try reader.expectEnd()
        return redirect
    }

    /// A refused hello's reason (`FrameKind.agentRefusal`), cut to `AgentSessionLimits.textBytesMaximum` bytes.
    public static func encodeRefusal(_ reason: String) -> [UInt8] {
        var writer = VersionedMessage.writer(version, reservingCapacity: 16 + AgentSessionLimits.textBytesMaximum)
        writer.write(reason.truncated(toUTF8Bytes: AgentSessionLimits.textBytesMaximum))
        return writer.bytes
    }

    public static func decodeRefusal(_ bytes: [UInt8]) throws(BinaryDecodingError) -> String {
        var reader = try VersionedMessage.reader(bytes, version: version)
        let reason = try reader.readString(maximumBytes: AgentSessionLimits.textBytesMaximum)
        try reader.expectEnd()
        return reason
    }

    public static func encode(_ command: AgentCommand) -> [UInt8] {
        var writer = VersionedMessage.writer(version, reservingCapacity: 64)
        writer.writeVarint(command.leaderTerm)
        writer.writeVarint(command.commandID)
        switch command.action {
        case let .setReportInterval(milliseconds):
            writer.write(UInt8(1))
            writer.writeVarint(UInt64(milliseconds))
        case let .module(order):
            writer.write(UInt8(2))
            ModuleOrderCodec.write(order, to: &writer)
        }
        return writer.bytes
    }

    public static func decodeCommand(_ bytes: [UInt8]) throws(BinaryDecodingError) -> AgentCommand {
        var reader = try VersionedMessage.reader(bytes, version: version)
        let term = try reader.readVarint()
        let id = try reader.readVarint()
        let actionOffset = reader.offset
        let action: AgentCommand.Action
        switch try reader.readUInt8() {
        case 1: action = .setReportInterval(milliseconds: try interval(&reader))
        case 2: action = .module(try ModuleOrderCodec.readOrder(&reader))
        default: throw .invalidValue(offset: actionOffset, detail: "unknown agent command")
        }
        try reader.expectEnd()
        return AgentCommand(leaderTerm: term, commandID: id, action: action)
    }

    public static func encode(_ result: AgentCommandResult) -> [UInt8] {
        var writer = VersionedMessage.writer(version, reservingCapacity: 64)
        writer.writeVarint(result.commandID)
        writer.write(result.accepted)
        writer.write(result.detail)
        if let install = result.install {
            writer.write(true)
            ModuleOrderCodec.write(install, to: &writer)
        }
        return writer.bytes
    }

    public static func decodeCommandResult(_ bytes: [UInt8]) throws(BinaryDecodingError) -> AgentCommandResult {
        var reader = try VersionedMessage.reader(bytes, version: version)
        var result = AgentCommandResult(commandID: try reader.readVarint(), accepted: try reader.readBool(),
                                        detail: try reader.readString(maximumBytes: AgentSessionLimits.textBytesMaximum))
        if !reader.isAtEnd {
            let offset = reader.offset
            guard try reader.readBool() else { throw .invalidValue(offset: offset, detail: "an absent install result is not written") }
            result.install = try ModuleOrderCodec.readResult(&reader)
        }
        try reader.expectEnd()
        return result
    }

    private static func interval(_ reader: inout BinaryReader) throws(BinaryDecodingError) -> UInt32 {
        let offset = reader.offset
        let value = try reader.readVarint(as: UInt32.self, field: "report interval")
        guard AgentSessionLimits.reportIntervalMilliseconds.contains(value) else {
            throw .invalidValue(offset: offset, detail: "report interval \(value) ms out of range")
        }
        return value
    }

    private static func writePairs(_ pairs: [String: String], to writer: inout BinaryWriter) {
        writer.writeVarint(UInt64(pairs.count))
        for key in pairs.keys.sorted() {
            writer.write(key)
            writer.write(pairs[key]!)
        }
    }

    private static func readPairs(_ reader: inout BinaryReader, maximum: Int) throws(BinaryDecodingError) -> [String: String] {
        let offset = reader.offset
        let count = try reader.readVarint()
        guard count <= UInt64(maximum) else { throw .invalidValue(offset: offset, detail: "\(count) pairs, over \(maximum)") }
        var pairs: [String: String] = [:]
        for _ in 0..<count {
            let keyOffset = reader.offset
            let key = try reader.readString(maximumBytes: AgentSessionLimits.nameBytesMaximum)
            guard pairs[key] == nil else { throw .invalidValue(offset: keyOffset, detail: "key '\(key)' repeated") }
            pairs[key] = try reader.readString(maximumBytes: AgentSessionLimits.textBytesMaximum)
        }
        return pairs
    }
}
