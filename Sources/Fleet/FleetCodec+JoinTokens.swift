import Primitives

/// Join tokens in the binary form (version 12): a record is its id (text), the secret's hash (32
/// bytes), creation and expiry (u64 ms), remaining uses (u32), a flag byte and the environment
/// when it names one, and its creator (text). The snapshot's table is a u32 count of records sorted
/// by id; decoding refuses a record that is not well formed or an id named twice.
extension FleetCodec {
    static func write(_ record: JoinTokenRecord, to writer: inout BinaryWriter) {
        writer.write(record.id)
        writer.write(contentsOf: record.secretHash)
        writer.write(record.createdAtMilliseconds)
        writer.write(record.expiresAtMilliseconds)
        writer.write(record.usesRemaining)
        writer.write(record.environment != nil)
        if let environment = record.environment { writer.write(environment) }
        writer.write(record.createdBy)
    }

    static func readJoinToken(_ reader: inout BinaryReader) throws(BinaryDecodingError) -> JoinTokenRecord {
        let offset = reader.offset
        let id = try readText(&reader)
        let hash = try reader.readBytes(JoinTokenRecord.secretHashBytes)
        let created = try reader.readUInt64()
        let expires = try reader.readUInt64()
        let uses = try reader.readUInt32()
        let environment = try reader.readBool() ? try readText(&reader) : nil
        let record = JoinTokenRecord(id: id, secretHash: hash, createdAtMilliseconds: created, expiresAtMilliseconds: expires,
                                     usesRemaining: uses, environment: environment, createdBy: try readText(&reader))
        if let reason = record.invalidity { throw .invalidValue(offset: offset, detail: reason) }
        return record
    }

    static func writeUseJoinToken(_ command: FleetCommand, to writer: inout BinaryWriter) {
        guard case let .useJoinToken(id, hash, node, environment, at) = command else { return }
        writer.write(id)
        writer.writeLengthPrefixed(hash)
        writer.write(node)
        writer.write(environment)
        writer.write(at)
    }

    static func readUseJoinToken(_ reader: inout BinaryReader) throws(BinaryDecodingError) -> FleetCommand {
        .useJoinToken(
            id: try readText(&reader), secretHash: try reader.readLengthPrefixed(maximumBytes: JoinTokenRecord.secretHashBytes),
            node: try readText(&reader), environment: try readText(&reader), atMilliseconds: try reader.readUInt64())
    }

    static func writeJoinTokenTable(_ tokens: [String: JoinTokenRecord], to writer: inout BinaryWriter) {
        writeTable(tokens.values.sorted { $0.id < $1.id }, to: &writer, write)
    }

    static func readJoinTokenTable(_ reader: inout BinaryReader) throws(BinaryDecodingError) -> [String: JoinTokenRecord] {
        let offset = reader.offset
        let records = try readTable(&reader, maximum: FleetState.joinTokensMaximum, readJoinToken)
        var tokens: [String: JoinTokenRecord] = [:]
        for record in records where tokens.updateValue(record, forKey: record.id) != nil {
            throw .invalidValue(offset: offset, detail: "join token \(record.id) named twice")
        }
        return tokens
    }
}
