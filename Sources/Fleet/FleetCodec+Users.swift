import Primitives

/// The encoding of users, password digests and signing keys (version 5), shared by commands,
/// snapshots and outcomes. Decoding refuses whatever the state could not hold: digest parameters
/// out of their ranges or that scrypt refuses (N not below 2^(16 r)), a salt, hash, key id or secret of another size, an unknown role.
extension FleetCodec {
    static func write(_ user: UserRecord, to writer: inout BinaryWriter) {
        writer.write(user.name)
        write(user.role, to: &writer)
        write(user.digest, to: &writer)
        writer.write(user.credentialIndex)
        writer.write(user.failedLogins)
        writer.write(user.lockouts)
        writer.write(user.lockedUntilMilliseconds)
    }

    static func readUser(_ reader: inout BinaryReader) throws(BinaryDecodingError) -> UserRecord {
        UserRecord(name: try readText(&reader), role: try readRole(&reader), digest: try readDigest(&reader),
                   credentialIndex: try reader.readUInt64(), failedLogins: try reader.readUInt8(),
                   lockouts: try reader.readUInt8(), lockedUntilMilliseconds: try reader.readUInt64())
    }

    /// A role as one byte: 1 viewer, 2 deployer, 3 admin (fixed here, whatever order roles are declared in).
    static func write(_ role: UserRole, to writer: inout BinaryWriter) {
        switch role {
        case .viewer: writer.write(UInt8(1))
        case .deployer: writer.write(UInt8(2))
        case .admin: writer.write(UInt8(3))
        }
    }

    static func readRole(_ reader: inout BinaryReader) throws(BinaryDecodingError) -> UserRole {
        let offset = reader.offset
        guard let role = try readOptionalRole(&reader) else { throw .invalidValue(offset: offset, detail: "unknown role 0") }
        return role
    }

    /// A role or none (0, written only where a record may have no role: `AuditContext`).
    static func readOptionalRole(_ reader: inout BinaryReader) throws(BinaryDecodingError) -> UserRole? {
        let offset = reader.offset
        switch try reader.readUInt8() {
        case 0: return nil
        case 1: return .viewer
        case 2: return .deployer
        case 3: return .admin
        case let code: throw .invalidValue(offset: offset, detail: "unknown role \(code)")
        }
    }

    static func write(_ digest: PasswordDigest, to writer: inout BinaryWriter) {
        writer.write(digest.costLog2)
        writer.write(digest.blockSize)
        writer.write(digest.parallelism)
        writer.writeLengthPrefixed(digest.salt)
        writer.writeLengthPrefixed(digest.hash)
    }

    static func readDigest(_ reader: inout BinaryReader) throws(BinaryDecodingError) -> PasswordDigest {
        let costOffset = reader.offset
        let costLog2 = try bounded(reader.offset, try reader.readUInt8(), PasswordDigest.costLog2Range, "scrypt cost (log2 N)")
        let blockSize = try bounded(reader.offset, try reader.readUInt32(), PasswordDigest.blockSizeRange, "scrypt block size")
        guard PasswordDigest.costFits(costLog2: costLog2, blockSize: blockSize) else {
            throw .invalidValue(offset: costOffset, detail: "scrypt cost 2^\(costLog2) is not below 2^(16 r) at r = \(blockSize)")
        }
        let parallelism = try bounded(reader.offset, try reader.readUInt32(), PasswordDigest.parallelismRange,
                                      "scrypt parallelism")
        return PasswordDigest(costLog2: costLog2, blockSize: blockSize, parallelism: parallelism,
                              salt: try readExactly(&reader, bytes: PasswordDigest.saltBytes, what: "salt"),
                              hash: try readExactly(&reader, bytes: PasswordDigest.hashBytes, what: "hash"))
    }

    static func write(_ key: SigningKeyRecord, to writer: inout BinaryWriter) {
        writer.writeLengthPrefixed(key.id)
        writer.writeLengthPrefixed(key.secret)
        writer.write(key.createdAtMilliseconds)
        writer.write(key.retiresAtMilliseconds != nil)
        if let retiresAt = key.retiresAtMilliseconds { writer.write(retiresAt) }
    }

    static func readSigningKey(_ reader: inout BinaryReader) throws(BinaryDecodingError) -> SigningKeyRecord {
        SigningKeyRecord(id: try readExactly(&reader, bytes: SigningKeyRecord.idBytes, what: "signing key id"),
                         secret: try readExactly(&reader, bytes: SigningKeyRecord.secretBytes, what: "signing key secret"),
                         createdAtMilliseconds: try reader.readUInt64(),
                         retiresAtMilliseconds: try reader.readBool() ? try reader.readUInt64() : nil)
    }

    /// A length-prefixed field that must be exactly `bytes` long.
    private static func readExactly(_ reader: inout BinaryReader, bytes: Int,
                                    what: String) throws(BinaryDecodingError) -> [UInt8] {
        let offset = reader.offset
        let field = try reader.readLengthPrefixed(maximumBytes: bytes)
        guard field.count == bytes else { throw .invalidValue(offset: offset, detail: "\(what) of \(field.count) bytes, not \(bytes)") }
        return field
    }

    /// `value`, read at `offset`, if it is in `range`.
    private static func bounded<Number: FixedWidthInteger>(_ offset: Int, _ value: Number, _ range: ClosedRange<Number>,
                                                           _ what: String) throws(BinaryDecodingError) -> Number {
        guard range.contains(value) else { throw .invalidValue(offset: offset, detail: "\(what) \(value) outside \(range)") }
        return value
    }
}

/// What a snapshot's user and key tables must be beyond each record's own bounds: what the state
/// can hold, so a damaged snapshot is refused rather than silently merged.
extension FleetCodec {
    /// The users by name; a name given twice is refused.
    static func uniqueUsers(_ users: [UserRecord], tableOffset: Int) throws(BinaryDecodingError) -> [String: UserRecord] {
        var byName: [String: UserRecord] = [:]
        for user in users {
            guard byName.updateValue(user, forKey: user.name) == nil else {
                throw .invalidValue(offset: tableOffset, detail: "user '\(user.name)' appears twice")
            }
        }
        return byName
    }

    /// Refuses a ring with a key id given twice, or whose signer (the first key) has a retirement time.
    static func checkRing(_ keys: [SigningKeyRecord], tableOffset: Int) throws(BinaryDecodingError) {
        if keys.first?.retiresAtMilliseconds != nil {
            throw .invalidValue(offset: tableOffset, detail: "the signing key \(keys[0].idHex) signs but has a retirement time")
        }
        var ids: Set<[UInt8]> = []
        for key in keys where !ids.insert(key.id).inserted {
            throw .invalidValue(offset: tableOffset, detail: "signing key \(key.idHex) appears twice")
        }
    }
}
