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

    /// A replica restored from a snapshot taken at any point, then given the rest of the log,
    /// reaches the state (and outcomes) of one that applied every entry.
    @Test func aStateIsDecodedFromAWindowOfALargerBufferAndNotPastIt() throws {
        var state = FleetState()
        for (offset, command) in Self.history.enumerated() { _ = state.apply(command, at: UInt64(offset + 1)) }
        let encoded = FleetCodec.encode(state)
        let buffer: [UInt8] = [1, 2, 3] + encoded + [9, 9]
        #expect(try FleetCodec.decodeState(buffer, range: 3..<(3 + encoded.count)) == state)
        #expect(throws: BinaryDecodingError.self, "the window's trailing bytes are not the state's") {
            try FleetCodec.decodeState(buffer, range: 3..<buffer.count)
        }
        #expect(throws: BinaryDecodingError.self, "a window cut short") {
            try FleetCodec.decodeState(buffer, range: 3..<(2 + encoded.count))
        }
    }

    @Test func aSnapshotMidHistoryThenTheRestOfTheLogEqualsTheWholeLog() throws {
        var whole = FleetState()
        var wholeOutcomes: [FleetOutcome?] = []
        for (offset, command) in Self.history.enumerated() { wholeOutcomes.append(whole.apply(command, at: UInt64(offset + 1))) }
        for cut in 0...Self.history.count {
            var early = FleetState()
            for (offset, command) in Self.history.prefix(cut).enumerated() { early.apply(command, at: UInt64(offset + 1)) }
            var restored = try FleetCodec.decodeState(FleetCodec.encode(early))
            var outcomes: [FleetOutcome?] = []
            for (offset, command) in Self.history.enumerated().dropFirst(cut) {
                outcomes.append(restored.apply(try FleetCodec.decodeCommand(FleetCodec.encode(command)), at: UInt64(offset + 1)))
            }
            #expect(restored == whole, "snapshot after \(cut) entries")
            #expect(outcomes == Array(wholeOutcomes.dropFirst(cut)), "snapshot after \(cut) entries")
        }
    }

    /// A version-5 snapshot of an empty state but for these user and key tables, written record by
    /// record (a command's bytes after its version and tag are the record's).
    static func snapshot(users: [UserRecord], keys: [SigningKeyRecord]) -> [UInt8] {
        var writer = BinaryWriter()
        writer.write(UInt32(users.count))
        for user in users { writer.write(contentsOf: FleetCodec.encode(.addUser(user)).dropFirst(2)) }
        writer.write(UInt32(keys.count))
        for key in keys {
            writer.write(contentsOf: FleetCodec.encode(.rotateSigningKey(key, overlapMilliseconds: 0)).dropFirst(2).dropLast(8))
        }
        return emptyVersion5.dropLast(8) + writer.bytes
    }

    static let retired = SigningKeyRecord(id: F.key(2, createdAt: 1).id, secret: F.key(2, createdAt: 1).secret,
                                          createdAtMilliseconds: 1, retiresAtMilliseconds: 9)

    @Test func aWellFormedHandWrittenSnapshotDecodes() throws {
        let bytes = Self.snapshot(users: [F.user("a"), F.user("b")], keys: [F.key(1, createdAt: 2), Self.retired])
        let state = try FleetCodec.decodeState(bytes)
        #expect(state.users.keys.sorted() == ["a", "b"])
        #expect(state.signingKeys == [F.key(1, createdAt: 2), Self.retired])
    }

    @Test(arguments: [
        ("a user name twice", snapshot(users: [F.user("a", .admin), F.user("a")], keys: []), "user 'a' appears twice"),
        ("a key id twice", snapshot(users: [], keys: [F.key(1, createdAt: 2), F.key(1, createdAt: 1)]),
         "signing key 0101010101010101 appears twice"),
        ("a signer with a retirement time", snapshot(users: [], keys: [retired]),
         "the signing key 0202020202020202 signs but has a retirement time"),
    ])
    func aSnapshotTheStateCouldNotHoldIsRefused(label: String, bytes: [UInt8], detail: String) {
        #expect("\(label)") { try FleetCodec.decodeState(bytes) } throws: { error in
            guard case let .invalidValue(_, found) = error as? BinaryDecodingError else { return false }
            return found == detail
        }
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
