import Primitives

/// The encoding of module records (version 8), shared by commands, snapshots and outcomes.
/// Decoding holds every field to the bound the state holds it to, and a snapshot's table to the
/// state's: versions in all, per module, modules, and no version twice.
extension FleetCodec {
    static func write(_ record: ModuleRecord, to writer: inout BinaryWriter) {
        writer.write(record.name)
        writer.write(record.version)
        writer.writeLengthPrefixed(record.sha256)
        writer.write(record.byteCount)
        writer.writeLengthPrefixed(record.manifest)
        writer.write(record.uploadedBy)
        writer.write(record.uploadedAtMilliseconds)
        writer.write(record.signature != nil)
        if let signature = record.signature { writer.writeLengthPrefixed(signature) }
    }

    static func readModule(_ reader: inout BinaryReader) throws(BinaryDecodingError) -> ModuleRecord {
        let name = try readText(&reader)
        let version = try readText(&reader)
        let shaOffset = reader.offset
        let sha256 = try reader.readLengthPrefixed(maximumBytes: ModuleRecord.sha256Bytes)
        guard sha256.count == ModuleRecord.sha256Bytes else {
            throw .invalidValue(offset: shaOffset, detail: "module sha256 of \(sha256.count) bytes, not \(ModuleRecord.sha256Bytes)")
        }
        let byteCount = try reader.readUInt64()
        let manifest = try reader.readLengthPrefixed(maximumBytes: ModuleRecord.manifestBytesMaximum)
        let uploadedBy = try reader.readString(maximumBytes: UserName.bytesMaximum)
        let uploadedAt = try reader.readUInt64()
        let signatureOffset = reader.offset
        let signature = try reader.readBool() ? try reader.readLengthPrefixed(maximumBytes: ModuleRecord.signatureBytes) : nil
        if let signature, signature.count != ModuleRecord.signatureBytes {
            throw .invalidValue(offset: signatureOffset, detail: "module signature of \(signature.count) bytes")
        }
        return ModuleRecord(name: name, version: version, sha256: sha256, byteCount: byteCount, manifest: manifest,
                            uploadedBy: uploadedBy, uploadedAtMilliseconds: uploadedAt, signature: signature)
    }

    /// A snapshot's module versions, grouped by module.
    static func readModuleTable(_ reader: inout BinaryReader) throws(BinaryDecodingError) -> [String: [String: ModuleRecord]] {
        let offset = reader.offset
        let records = try readTable(&reader, maximum: FleetState.moduleVersionsMaximum, readModule)
        var modules: [String: [String: ModuleRecord]] = [:]
        for record in records {
            // What a command could not put in the state, a snapshot may not hold either.
            if let reason = record.invalidity {
                throw .invalidValue(offset: offset, detail: "module \(record.name) \(record.version): \(reason)")
            }
            guard modules[record.name]?[record.version] == nil else {
                throw .invalidValue(offset: offset, detail: "module \(record.name) \(record.version) twice")
            }
            modules[record.name, default: [:]][record.version] = record
        }
        guard modules.count <= FleetState.modulesMaximum,
              modules.values.allSatisfy({ $0.count <= FleetState.versionsPerModuleMaximum }) else {
            throw .invalidValue(offset: offset, detail: "more than \(FleetState.modulesMaximum) modules or "
                                + "\(FleetState.versionsPerModuleMaximum) versions of one")
        }
        return modules
    }
}
