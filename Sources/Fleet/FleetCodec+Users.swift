import Primitives

/// The encoding of users, password digests and signing keys (version 5), shared by commands,
/// snapshots and outcomes. Decoding refuses whatever the state could not hold: digest parameters
/// out of their ranges, a salt, hash, key id or secret of another size, an unknown role.
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
        switch try reader.readUInt8() {
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
        let costLog2 = try bounded(reader.offset, try reader.readUInt8(), PasswordDigest.costLog2Range, "scrypt cost (log2 N)")
        let blockSize = try bounded(reader.offset, try reader.readUInt32(), PasswordDigest.blockSizeRange, "scrypt block size")
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
