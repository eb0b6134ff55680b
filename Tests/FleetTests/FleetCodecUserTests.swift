import Fleet
import Primitives
import Testing

/// The encoding of users, logins and the signing-key ring (version 5; `FleetCodecVersionTests`
/// checks each command round trips in it and no earlier version): pinned bytes, and decoding
/// that refuses every field outside what the state holds.
struct FleetCodecUserTests {
    typealias F = AccessFixtures

    static let commands: [FleetCommand] = [
        .bootstrapAdmin(F.user("admin", .admin), signingKey: F.key(1, createdAt: 1_700_000_000_000)),
        .addUser(UserRecord(name: "ops.team_1", role: .deployer, digest: F.digest(7), credentialIndex: 42,
                            failedLogins: 3, lockouts: 200, lockedUntilMilliseconds: .max)),
        .addUser(F.user("reader", .viewer)),
        .deleteUser(name: "reader"),
        .setPassword(name: "admin", digest: F.digest(9)),
        .recordLoginFailure(name: "admin", atMilliseconds: .max),
        .recordLoginSuccess(name: "admin"),
        .unlockUser(name: "admin"),
        .rotateSigningKey(F.key(2, createdAt: 5), overlapMilliseconds: 86_400_000),
        .rotateSigningKey(SigningKeyRecord(id: F.key(3, createdAt: 0).id, secret: F.key(3, createdAt: 0).secret,
                                           createdAtMilliseconds: 0, retiresAtMilliseconds: 77), overlapMilliseconds: 0),
    ]

    @Test func theEncodingIsPinned() throws {
        let unlock: [UInt8] = [0x05, 0x12, 0x00, 0x00, 0x00, 0x03, 0x6F, 0x70, 0x73]
        #expect(FleetCodec.encode(.unlockUser(name: "ops")) == unlock)
        #expect(try FleetCodec.decodeCommand(Self.addUser()) == .addUser(UserRecord(
            name: "dev", role: .viewer, digest: F.digest(), credentialIndex: 9)))
        #expect(FleetCodec.encode(.addUser(UserRecord(name: "dev", role: .viewer, digest: F.digest(),
                                                      credentialIndex: 9))) == Self.addUser())
        #expect(try FleetCodec.decodeCommand(Self.rotation()) == .rotateSigningKey(F.key(4, createdAt: 6), overlapMilliseconds: 60_000))
        #expect(FleetCodec.encode(.rotateSigningKey(F.key(4, createdAt: 6), overlapMilliseconds: 60_000)) == Self.rotation())
    }

    /// `addUser` written field by field, with any field replaced.
    static func addUser(name: String = "dev", role: UInt8 = 1, cost: UInt8 = 15, blockSize: UInt32 = 8, parallelism: UInt32 = 3,
                        salt: Int = 16, hash: Int = 32) -> [UInt8] {
        var writer = BinaryWriter()
        writer.write(UInt8(5))
        writer.write(UInt8(13))
        writer.write(name)
        writer.write(role)
        writer.write(cost)
        writer.write(blockSize)
        writer.write(parallelism)
        writer.writeLengthPrefixed([UInt8](repeating: 1, count: salt))
        writer.writeLengthPrefixed([UInt8](repeating: 2, count: hash))
        writer.write(UInt64(9))
        writer.write(UInt8(0))
        writer.write(UInt8(0))
        writer.write(UInt64(0))
        return writer.bytes
    }

    /// `rotateSigningKey` of seed 4 written field by field, with any field replaced.
    static func rotation(id: Int = 8, secret: Int = 32, retiring: UInt8 = 0) -> [UInt8] {
        var writer = BinaryWriter()
        writer.write(UInt8(5))
        writer.write(UInt8(19))
        writer.writeLengthPrefixed([UInt8](repeating: 4, count: id))
        writer.writeLengthPrefixed([UInt8](repeating: 104, count: secret))
        writer.write(UInt64(6))
        writer.write(retiring)
        if retiring == 1 { writer.write(UInt64(7)) }
        writer.write(UInt64(60_000))
        return writer.bytes
    }

    @Test(arguments: [
        ("scrypt cost 9", addUser(cost: 9)), ("scrypt cost 21", addUser(cost: 21)),
        ("block size 0", addUser(blockSize: 0)), ("block size 33", addUser(blockSize: 33)),
        ("N of 2^16 at r = 1", addUser(cost: 16, blockSize: 1)),
        ("parallelism 0", addUser(parallelism: 0)), ("parallelism 17", addUser(parallelism: 17)),
        ("salt of 15", addUser(salt: 15)), ("salt of 17", addUser(salt: 17)),
        ("hash of 31", addUser(hash: 31)), ("hash of 33", addUser(hash: 33)),
        ("role 0", addUser(role: 0)), ("role 4", addUser(role: 4)),
        ("name over the text bound", addUser(name: String(repeating: "a", count: 257))),
        ("key id of 7", rotation(id: 7)), ("key id of 9", rotation(id: 9)),
        ("secret of 31", rotation(secret: 31)), ("secret of 33", rotation(secret: 33)),
        ("presence byte 2", rotation(retiring: 2)),
    ])
    func aFieldOutsideItsBoundIsRefused(label: String, bytes: [UInt8]) {
        #expect(throws: BinaryDecodingError.self, "\(label)") { try FleetCodec.decodeCommand(bytes) }
    }

    @Test func theBoundsThemselvesDecode() throws {
        for bytes in [Self.addUser(cost: 10), Self.addUser(cost: 20), Self.addUser(cost: 15, blockSize: 1), Self.addUser(blockSize: 32),
                      Self.addUser(parallelism: 1), Self.addUser(parallelism: 16), Self.addUser(role: 3),
                      Self.addUser(name: String(repeating: "a", count: 256)), Self.rotation(retiring: 1)] {
            _ = try FleetCodec.decodeCommand(bytes)
        }
    }

    @Test func aRefusedFieldIsNamedAtItsOffset() {
        #expect(throws: BinaryDecodingError.invalidValue(offset: 10, detail: "scrypt cost (log2 N) 21 outside 10...20")) {
            try FleetCodec.decodeCommand(Self.addUser(cost: 21))
        }
        #expect(throws: BinaryDecodingError.invalidValue(offset: 10, detail: "scrypt cost 2^16 is not below 2^(16 r) at r = 1")) {
            try FleetCodec.decodeCommand(Self.addUser(cost: 16, blockSize: 1))
        }
        #expect(throws: BinaryDecodingError.invalidValue(offset: 19, detail: "salt of 15 bytes, not 16")) {
            try FleetCodec.decodeCommand(Self.addUser(salt: 15))
        }
        #expect(throws: BinaryDecodingError.fieldTooLarge(offset: 2, bytes: 9, maximumBytes: 8)) {
            try FleetCodec.decodeCommand(Self.rotation(id: 9))
        }
        #expect(throws: BinaryDecodingError.invalidValue(offset: 9, detail: "unknown role 4")) {
            try FleetCodec.decodeCommand(Self.addUser(role: 4))
        }
    }

    @Test func everyTruncationOfEachCommandIsRejected() {
        for command in Self.commands {
            let bytes = FleetCodec.encode(command)
            for length in 0..<bytes.count {
                #expect(throws: BinaryDecodingError.self) { try FleetCodec.decodeCommand(Array(bytes.prefix(length))) }
            }
        }
    }
}
