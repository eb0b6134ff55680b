import Fleet
import Primitives
import Testing

/// Snapshots carry users and the key ring, in version 5 only while they hold some; and the same
/// commands give the same state on every replica, whether applied directly, decoded from the
/// log or restored from a snapshot.
struct UserSnapshotTests {
    typealias F = AccessFixtures

    /// Every access command, with refusals and a skipped bootstrap among them.
    static let history: [FleetCommand] = [
        .bootstrapAdmin(F.user("admin", .admin), signingKey: F.key(1, createdAt: 1_000)),
        .addUser(F.user("dev", .deployer)),
        .addUser(F.user("dev", .viewer)),
        .addUser(F.user("viewer")),
        .recordLoginFailure(name: "dev", atMilliseconds: 2_000),
        .recordLoginFailure(name: "dev", atMilliseconds: 2_001),
        .recordLoginFailure(name: "dev", atMilliseconds: 2_002),
        .recordLoginFailure(name: "dev", atMilliseconds: 2_003),
        .recordLoginFailure(name: "dev", atMilliseconds: 2_004),
        .recordLoginFailure(name: "dev", atMilliseconds: 2_005),
        .recordLoginFailure(name: "viewer", atMilliseconds: 2_006),
        .recordLoginSuccess(name: "viewer"),
        .setPassword(name: "viewer", digest: F.digest(5)),
        .rotateSigningKey(F.key(2, createdAt: 4_000), overlapMilliseconds: 3_600_000),
        .rotateSigningKey(F.key(2, createdAt: 4_001), overlapMilliseconds: 0),
        .bootstrapAdmin(F.user("other", .admin), signingKey: F.key(3, createdAt: 5_000)),
        .deleteUser(name: "admin"),
        .unlockUser(name: "dev"),
        .revokeNode(NodeRevocation(node: "lost", revokedAtMilliseconds: 6_000)),
    ]

    @Test func replicasApplyingTheSameCommandsAgree() throws {
        var direct = FleetState()
        var decoded = FleetState()
        var directOutcomes: [FleetOutcome?] = []
        var decodedOutcomes: [FleetOutcome?] = []
        for (offset, command) in Self.history.enumerated() {
            directOutcomes.append(direct.apply(command, at: UInt64(offset + 1)))
            decodedOutcomes.append(decoded.apply(try FleetCodec.decodeCommand(FleetCodec.encode(command)), at: UInt64(offset + 1)))
        }
        #expect(direct == decoded)
        #expect(directOutcomes == decodedOutcomes)
        #expect(directOutcomes[15] == .bootstrapSkipped)
        #expect(directOutcomes[16] == .rejected(.lastAdmin("admin")))
        #expect(try FleetCodec.decodeState(FleetCodec.encode(direct)) == direct)
    }

    @Test func aSnapshotWithUsersAndKeysRoundTripsAsVersion5() throws {
        var state = FleetState()
        for (offset, command) in Self.history.enumerated() { state.apply(command, at: UInt64(offset + 1)) }
        #expect(state.users.count == 3 && state.signingKeys.count == 2)
        let bytes = FleetCodec.encode(state)
        #expect(bytes.first == 5)
        let restored = try FleetCodec.decodeState(bytes)
        #expect(restored == state)
        #expect(restored.users["dev"]?.lockedUntilMilliseconds == 0 && restored.users["viewer"]?.digest == F.digest(5))
        #expect(restored.signingKeys.last?.retiresAtMilliseconds == 4_000 + 3_600_000)
    }

    @Test func theSnapshotVersionIsTheLowestThatHoldsTheState() throws {
        var state = FleetState()
        #expect(FleetCodec.encode(state).first == 3)
        state.apply(.revokeNode(NodeRevocation(node: "n1", revokedAtMilliseconds: 5)), at: 1)
        #expect(FleetCodec.encode(state).first == 4)
        state.apply(.rotateSigningKey(F.key(1, createdAt: 1), overlapMilliseconds: 0), at: 2)
        #expect(FleetCodec.encode(state).first == 5, "a key alone needs version 5")
        state.apply(.unrevokeNode(name: "n1"), at: 3)
        let keysOnly = FleetCodec.encode(state)
        #expect(keysOnly.first == 5)
        #expect(try FleetCodec.decodeState(keysOnly) == state)
        var usersOnly = FleetState()
        usersOnly.apply(.bootstrapAdmin(F.user("admin", .admin), signingKey: F.key(1, createdAt: 1)), at: 1)
        #expect(FleetCodec.encode(usersOnly).first == 5)
    }

    /// An empty state as version 5 would write it: no revocations, users or keys.
    static let emptyVersion5 = [5] + FleetCodec.encode(FleetState()).dropFirst() + [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]

    @Test func aVersion5SnapshotWithEmptyTablesDecodesAndAVersion4OneIsShorter() throws {
        #expect(try FleetCodec.decodeState(Self.emptyVersion5) == FleetState())
        #expect(throws: BinaryDecodingError.self) { try FleetCodec.decodeState([4] + Self.emptyVersion5.dropFirst()) }
        #expect(throws: BinaryDecodingError.self) { try FleetCodec.decodeState(Array(Self.emptyVersion5.dropLast(4))) }
    }

    @Test(arguments: [(8, FleetState.usersMaximum), (4, FleetState.signingKeysMaximum)])
    func aSnapshotDeclaringMoreThanTheBoundIsRefused(fromEnd: Int, maximum: Int) {
        var hostile = Self.emptyVersion5
        let offset = hostile.count - fromEnd
        let count = UInt32(maximum + 1)
        hostile.replaceSubrange(offset..<(offset + 4), with: [UInt8(count >> 24), UInt8(count >> 16 & 0xFF), UInt8(count >> 8 & 0xFF),
                                                              UInt8(count & 0xFF)])
        #expect(throws: BinaryDecodingError.invalidValue(offset: offset, detail: "\(count) records, over \(maximum)")) {
            try FleetCodec.decodeState(hostile)
        }
    }
}
