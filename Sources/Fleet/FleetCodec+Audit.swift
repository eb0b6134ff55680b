import Primitives

/// The encoding of audit contexts, records and the trail (version 6). Decoding holds every field
/// to its bound and refuses an unknown role or action, and a trail whose indices do not rise or
/// pass the snapshot's applied index, or with more records of a kind than its share holds, so a
/// damaged snapshot is refused rather than merged.
extension FleetCodec {
    public static func write(_ context: AuditContext, to writer: inout BinaryWriter) {
        writer.write(context.user)
        write(optional: context.role, to: &writer)
        writer.write(context.source)
        writer.write(context.atMilliseconds)
    }

    public static func readAuditContext(_ reader: inout BinaryReader) throws(BinaryDecodingError) -> AuditContext {
        let user = try reader.readString(maximumBytes: AuditContext.userBytesMaximum)
        let role = try readOptionalRole(&reader)
        return AuditContext(user: user, role: role, source: try reader.readString(maximumBytes: AuditContext.sourceBytesMaximum),
                            atMilliseconds: try reader.readUInt64())
    }

    static func write(_ record: AuditRecord, to writer: inout BinaryWriter) {
        writer.write(record.index)
        writer.write(record.atMilliseconds)
        writer.write(record.user)
        write(optional: record.role, to: &writer)
        writer.write(record.source)
        writer.write(record.action.rawValue)
        writer.write(record.target)
        writer.write(record.outcome)
    }

    static func readAuditRecord(_ reader: inout BinaryReader) throws(BinaryDecodingError) -> AuditRecord {
        let index = try reader.readUInt64()
        let at = try reader.readUInt64()
        let user = try reader.readString(maximumBytes: AuditContext.userBytesMaximum)
        let role = try readOptionalRole(&reader)
        let source = try reader.readString(maximumBytes: AuditContext.sourceBytesMaximum)
        let actionOffset = reader.offset
        let actionText = try reader.readString(maximumBytes: AuditAction.bytesMaximum)
        guard let action = AuditAction(rawValue: actionText) else {
            throw .invalidValue(offset: actionOffset, detail: "unknown audit action '\(actionText)'")
        }
        return AuditRecord(index: index, atMilliseconds: at, user: user, role: role, source: source, action: action,
                           target: try reader.readString(maximumBytes: AuditRecord.targetBytesMaximum),
                           outcome: try reader.readString(maximumBytes: AuditRecord.outcomeBytesMaximum))
    }

    /// The drop counts (logins, then the rest) and every record in index order.
    static func write(_ trail: AuditTrail, to writer: inout BinaryWriter) {
        writer.write(trail.droppedLogins)
        writer.write(trail.droppedWrites)
        writeTable(trail.records, to: &writer, write)
    }

    static func readAuditTrail(_ reader: inout BinaryReader, appliedIndex: UInt64) throws(BinaryDecodingError) -> AuditTrail {
        let droppedLogins = try reader.readUInt64()
        let droppedWrites = try reader.readUInt64()
        let offset = reader.offset
        let records = try readTable(&reader, maximum: AuditTrail.recordsMaximum, readAuditRecord)
        var previous: UInt64 = 0
        for record in records {
            guard record.index > previous, record.index <= appliedIndex else {
                throw .invalidValue(offset: offset, detail: "audit record \(record.index) is out of order or past index \(appliedIndex)")
            }
            previous = record.index
        }
        let logins = records.count { AuditTrail.isLogin($0.action) }
        guard logins <= AuditTrail.loginRecordsMaximum, records.count - logins <= AuditTrail.writeRecordsMaximum else {
            throw .invalidValue(offset: offset, detail: "\(logins) login and \(records.count - logins) other audit records, "
                                + "over \(AuditTrail.loginRecordsMaximum) and \(AuditTrail.writeRecordsMaximum)")
        }
        return AuditTrail(records: records, droppedLogins: droppedLogins, droppedWrites: droppedWrites)
    }

    /// A role, or none, as one byte: 0 none, else as `write(_: UserRole)`.
    private static func write(optional role: UserRole?, to writer: inout BinaryWriter) {
        guard let role else { return writer.write(UInt8(0)) }
        write(role, to: &writer)
    }
}
