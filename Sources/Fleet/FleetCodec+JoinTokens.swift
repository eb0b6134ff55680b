import Primitives

/// Join tokens in the binary form (version 12): a record is its id (text), the secret's hash (32
/// bytes), creation and expiry (u64 ms), remaining uses (u32), a flag byte and the environment
/// when it names one, and its creator (text). The snapshot's table is a u32 count of records sorted
/// by id; decoding refuses a record that is not well formed or an id named twice. `enrollNode` (version 13) has
/// `useJoinToken`'s fields; the snapshot's enrolled environments (version 13) are a u32 count of (node, environment)
/// text pairs sorted by node, each a valid node name and environment name, no node twice.
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
        let fields: (String, [UInt8], String, String, UInt64)
        switch command {
        case let .useJoinToken(id, hash, node, environment, at), let .enrollNode(id, hash, node, environment, at):
            fields = (id, hash, node, environment, at)
        default: return
        }
        let (id, hash, node, environment, at) = fields
        writer.write(id)
        writer.writeLengthPrefixed(hash)
        writer.write(node)
        writer.write(environment)
        writer.write(at)
    }

    /// `useJoinToken`, or `enrollNode` when `binding`.
    static func readUseJoinToken(_ reader: inout BinaryReader, binding: Bool) throws(BinaryDecodingError) -> FleetCommand {
        let id = try readText(&reader)
        let hash = try reader.readLengthPrefixed(maximumBytes: JoinTokenRecord.secretHashBytes)
        let node = try readText(&reader), environment = try readText(&reader), at = try reader.readUInt64()
        return binding
            ? .enrollNode(id: id, secretHash: hash, node: node, environment: environment, atMilliseconds: at)
            : .useJoinToken(id: id, secretHash: hash, node: node, environment: environment, atMilliseconds: at)
    }

    /// The bindings sorted by name (canonical: decoding refuses another order and a name twice).
    static func writeEnrolledEnvironments(_ bindings: [String: EnrolledBinding], to writer: inout BinaryWriter) {
        writeTable(bindings.sorted { $0.key < $1.key }, to: &writer) { binding, writer in
            writer.write(binding.key)
            writer.write(binding.value.environment)
            writer.write(binding.value.enrolledAtMilliseconds)
        }
    }

    static func readEnrolledEnvironments(_ reader: inout BinaryReader) throws(BinaryDecodingError) -> [String: EnrolledBinding] {
        let pairs = try readTable(&reader, maximum: FleetState.enrolledEnvironmentsMaximum) {
            (reader: inout BinaryReader) throws(BinaryDecodingError) -> (Int, String, EnrolledBinding) in
            let pairOffset = reader.offset
            let node = try readText(&reader), environment = try readText(&reader), at = try reader.readUInt64()
            guard NodeName.isValid(node), EnvironmentRecord.isValidName(environment) else {
                throw .invalidValue(offset: pairOffset, detail: "an enrolled node '\(node)' or its environment '\(environment)' is invalid")
            }
            return (pairOffset, node, EnrolledBinding(environment: environment, enrolledAtMilliseconds: at))
        }
        var bindings: [String: EnrolledBinding] = [:]
        var previous: String?
        for (offset, node, binding) in pairs {
            if let previous, previous >= node {
                throw .invalidValue(offset: offset, detail: previous == node ? "enrolled node \(node) named twice"
                                        : "enrolled node \(node) out of order after \(previous)")
            }
            previous = node
            bindings[node] = binding
        }
        return bindings
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
