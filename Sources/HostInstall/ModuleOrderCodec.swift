import Primitives

/// The bytes of a `ModuleOrder` and of an `InstallResult` inside an agent session frame
/// (Docs/PROTOCOL.md, "Module orders"), in the byte order of the writer they are written to.
/// The fields are those of the install record (`InstallRecordCodec`); every length is checked on
/// the way in, and an order `refusal()` names is refused as a decoding error.
public enum ModuleOrderCodec {
    public static func write(_ order: ModuleOrder, to writer: inout BinaryWriter) {
        writer.write(order.module)
        InstallRecordCodec.write(order.command.operation, to: &writer)
        writer.write(order.command.term)
        writer.write(order.command.sequence)
        writer.write(order.command.strategy.rawValue)
        writer.write(order.artifact != nil)
        guard let artifact = order.artifact else { return }
        writer.write(contentsOf: artifact.sha256)
        writer.write(artifact.size)
        writer.write(artifact.signature != nil)
        if let signature = artifact.signature { writer.write(contentsOf: signature) }
        writer.write(UInt8(clamping: artifact.trustedKeys.count))
        for key in artifact.trustedKeys.prefix(Int(UInt8.max)) { writer.write(contentsOf: key) }
    }

    public static func readOrder(_ reader: inout BinaryReader) throws(BinaryDecodingError) -> ModuleOrder {
        let offset = reader.offset
        let module = try InstallRecordCodec.readName(&reader)
        let operation = try InstallRecordCodec.readOperation(&reader)
        let term = try reader.readUInt64()
        let sequence = try reader.readUInt64()
        let strategyOffset = reader.offset
        guard let strategy = InstallStrategy(rawValue: try reader.readUInt8()) else {
            throw .invalidValue(offset: strategyOffset, detail: "unknown install strategy")
        }
        let command = InstallCommand(operation: operation, term: term, sequence: sequence, strategy: strategy)
        let order = ModuleOrder(module: module, command: command, artifact: try reader.readBool() ? try readArtifact(&reader) : nil)
        if let refusal = order.refusal() { throw .invalidValue(offset: offset, detail: refusal) }
        return order
    }

    private static func readArtifact(_ reader: inout BinaryReader) throws(BinaryDecodingError) -> OrderedArtifact {
        let sha256 = try reader.readBytes(OrderedArtifact.digestBytes)
        let size = try reader.readUInt64()
        let signature = try reader.readBool() ? try reader.readBytes(OrderedArtifact.signatureBytes) : nil
        let count = try InstallRecordCodec.readCount(&reader, maximum: OrderedArtifact.trustedKeysMaximum, what: "trusted keys")
        var keys: [[UInt8]] = []
        for _ in 0..<count { keys.append(try reader.readBytes(OrderedArtifact.publicKeyBytes)) }
        return OrderedArtifact(sha256: sha256, size: size, signature: signature, trustedKeys: keys)
    }

    public static func write(_ result: InstallResult, to writer: inout BinaryWriter) {
        InstallRecordCodec.write(result, to: &writer)
    }

    public static func readResult(_ reader: inout BinaryReader) throws(BinaryDecodingError) -> InstallResult {
        try InstallRecordCodec.readResult(&reader)
    }
}
