import Primitives

/// The environments' module signing keys in the binary form (version 9): a key list is a u8
/// count and 32 bytes a key; the snapshot's table is a u32 count of environment name and key
/// list, sorted by name. Decoding holds both to the state's bounds (`moduleSigningKeysRefusal`),
/// an environment named twice or with no key is refused.
extension FleetCodec {
    static func writeModuleSigningKeys(_ keys: [[UInt8]], to writer: inout BinaryWriter) {
        let kept = keys.prefix(FleetState.moduleSigningKeysMaximum)
        writer.write(UInt8(kept.count))
        for key in kept { writer.write(contentsOf: key) }
    }

    static func readModuleSigningKeys(_ reader: inout BinaryReader) throws(BinaryDecodingError) -> [[UInt8]] {
        let offset = reader.offset
        let count = Int(try reader.readUInt8())
        guard count <= FleetState.moduleSigningKeysMaximum else {
            throw .invalidValue(offset: offset, detail: "\(count) module signing keys; at most \(FleetState.moduleSigningKeysMaximum)")
        }
        var keys: [[UInt8]] = []
        for _ in 0..<count { keys.append(try reader.readBytes(FleetState.moduleSigningKeyBytes)) }
        if let refusal = FleetState.moduleSigningKeysRefusal(keys) { throw .invalidValue(offset: offset, detail: refusal) }
        return keys
    }

    static func writeSigningPolicy(_ policy: [String: [[UInt8]]], to writer: inout BinaryWriter) {
        writer.write(UInt32(policy.count))
        for (environment, keys) in policy.sorted(by: { $0.key < $1.key }) {
            writer.write(environment)
            writeModuleSigningKeys(keys, to: &writer)
        }
    }

    static func readSigningPolicy(_ reader: inout BinaryReader) throws(BinaryDecodingError) -> [String: [[UInt8]]] {
        let offset = reader.offset
        let count = Int(try reader.readUInt32())
        guard count <= FleetState.environmentsMaximum else {
            throw .invalidValue(offset: offset, detail: "signing keys of \(count) environments; at most \(FleetState.environmentsMaximum)")
        }
        var policy: [String: [[UInt8]]] = [:]
        for _ in 0..<count {
            let entryOffset = reader.offset
            let environment = try readText(&reader)
            let keys = try readModuleSigningKeys(&reader)
            guard !keys.isEmpty, policy.updateValue(keys, forKey: environment) == nil else {
                throw .invalidValue(offset: entryOffset, detail: "environment '\(environment)' named twice or with no signing key")
            }
        }
        return policy
    }
}
