import Primitives
import Testing

@testable import Fleet

@Suite struct JoinTokenStateTests {
    static let hash = [UInt8](repeating: 7, count: 32)
    static let createdAt: UInt64 = 1_000_000

    static func token(id: String = "0123456789ab", uses: UInt32 = 2, lifetime: UInt64 = 3_600_000,
                      environment: String? = nil) -> JoinTokenRecord {
        JoinTokenRecord(id: id, secretHash: hash, createdAtMilliseconds: createdAt, expiresAtMilliseconds: createdAt + lifetime,
                        usesRemaining: uses, environment: environment, createdBy: "alice")
    }

    static func state(with record: JoinTokenRecord = token()) -> FleetState {
        var state = FleetState()
        _ = state.apply(.putEnvironment(EnvironmentRecord(name: "production", defaultStrategy: .canary, requiresApproval: false)), at: 1)
        #expect(state.apply(.createJoinToken(record), at: 2) == .joinTokenCreated(record))
        return state
    }

    static func use(hash: [UInt8] = hash, id: String = "0123456789ab", environment: String = "production",
                    at: UInt64 = createdAt + 1) -> FleetCommand {
        .useJoinToken(id: id, secretHash: hash, node: "node-1", environment: environment, atMilliseconds: at)
    }

    /// Every failing use answers the same, whatever failed.
    static let refusedUses: [(String, JoinTokenRecord, FleetCommand)] = [
        ("unknown id", token(), use(id: "ffffffffffff")),
        ("wrong secret", token(), use(hash: [UInt8](repeating: 8, count: 32))),
        ("short secret hash", token(), use(hash: [7])),
        ("expired", token(), use(at: createdAt + 3_600_000)),
        ("another environment", token(environment: "production"), use(environment: "staging")),
    ]

    @Test(arguments: refusedUses)
    func aFailedUseIsRefusedAlikeAndChangesNothing(reason: String, record: JoinTokenRecord, command: FleetCommand) {
        var state = Self.state(with: record)
        let before = state.joinTokens
        #expect(state.apply(command, at: 3) == .rejected(.joinTokenRefused), "\(reason)")
        #expect(state.joinTokens == before)
    }

    /// A token holder may not take a name the fleet knows or has revoked: refused alike, the use kept.
    @Test(arguments: ["in the fleet", "revoked"])
    func aNameTheFleetKnowsIsRefusedAndTheUseKept(reason: String) {
        var state = Self.state()
        let known: FleetCommand = reason == "revoked"
            ? .revokeNode(NodeRevocation(node: "node-1", revokedAtMilliseconds: Self.createdAt))
            : .putNode(NodeRecord(id: "node-1", environment: "production"))
        #expect(state.apply(known, at: 3) != nil)
        #expect(state.apply(Self.use(), at: 4) == .rejected(.joinTokenRefused), "\(reason)")
        #expect(state.joinTokens["0123456789ab"]?.usesRemaining == 2)
    }

    @Test func eachUseTakesOneAndTheLastRemovesTheToken() {
        var state = Self.state(with: Self.token(uses: 2, environment: "production"))
        #expect(state.apply(Self.use(), at: 3) == .joinTokenUsed(id: "0123456789ab", node: "node-1", usesRemaining: 1))
        #expect(state.joinTokens["0123456789ab"]?.usesRemaining == 1)
        #expect(state.apply(Self.use(), at: 4) == .joinTokenUsed(id: "0123456789ab", node: "node-1", usesRemaining: 0))
        #expect(state.joinTokens.isEmpty)
        #expect(state.apply(Self.use(), at: 5) == .rejected(.joinTokenRefused))
    }

    static let invalidRecords: [(JoinTokenRecord, FleetRejection)] = [
        (token(id: "0123456789AB"), .invalidJoinToken("a token id is 12 lowercase hexadecimal digits")),
        (token(uses: 0), .invalidJoinToken("a token allows 1...10000 uses")),
        (token(lifetime: 0), .invalidJoinToken("a token lives more than 0 s and at most 30 days")),
        (token(lifetime: JoinTokenRecord.lifetimeMillisecondsMaximum + 1),
         .invalidJoinToken("a token lives more than 0 s and at most 30 days")),
        (token(environment: "nowhere"), .notFound("nowhere")),
    ]

    @Test(arguments: invalidRecords)
    func anInvalidTokenIsRefused(record: JoinTokenRecord, rejection: FleetRejection) {
        var state = FleetState()
        _ = state.apply(.putEnvironment(EnvironmentRecord(name: "production", defaultStrategy: .canary, requiresApproval: false)), at: 1)
        #expect(state.apply(.createJoinToken(record), at: 2) == .rejected(rejection))
        #expect(state.joinTokens.isEmpty)
    }

    /// 63 tokens that expire after a second and one that lives an hour fill the table: another is
    /// refused while all are live; once the 63 expired, a new one takes a place and the live one stays.
    @Test func theTableIsBoundedAndDropsExpiredTokensFirst() {
        var state = FleetState()
        let lasting = Self.token(id: "ffffffffffff")
        #expect(state.apply(.createJoinToken(lasting), at: 1) == .joinTokenCreated(lasting))
        for number in 1..<FleetState.joinTokensMaximum {
            let id = String(repeating: "0", count: 10) + String(format2: number)
            let shortLived = Self.token(id: id, lifetime: 1_000)
            #expect(state.apply(.createJoinToken(shortLived), at: UInt64(number + 1)) == .joinTokenCreated(shortLived))
        }
        #expect(state.joinTokens.count == FleetState.joinTokensMaximum)
        var later = Self.token(id: "aaaaaaaaaaaa")
        #expect(state.apply(.createJoinToken(later), at: 100) == .rejected(.tooManyJoinTokens(maximum: FleetState.joinTokensMaximum)))
        later = JoinTokenRecord(id: "aaaaaaaaaaaa", secretHash: Self.hash, createdAtMilliseconds: Self.createdAt + 1_000,
                                expiresAtMilliseconds: Self.createdAt + 2_000, usesRemaining: 1, environment: nil, createdBy: "bob")
        #expect(state.apply(.createJoinToken(later), at: 101) == .joinTokenCreated(later))
        #expect(state.joinTokens.keys.sorted() == ["aaaaaaaaaaaa", "ffffffffffff"])
    }

    @Test func revokingForgetsTheToken() {
        var state = Self.state()
        #expect(state.apply(.revokeJoinToken(id: "0123456789ab"), at: 3) == .joinTokenRevoked(id: "0123456789ab"))
        #expect(state.apply(.revokeJoinToken(id: "0123456789ab"), at: 4) == .rejected(.unknownJoinToken("0123456789ab")))
        #expect(state.apply(Self.use(), at: 5) == .rejected(.joinTokenRefused))
    }

    @Test func commandsSnapshotsAndOutcomesRoundTripInVersion12() throws {
        let state = Self.state(with: Self.token(environment: "production"))
        let snapshot = FleetCodec.encode(state)
        #expect(snapshot.first == 12)
        #expect(try FleetCodec.decodeState(snapshot) == state)
        for command in [FleetCommand.createJoinToken(Self.token()), Self.use(), .revokeJoinToken(id: "0123456789ab")] {
            let bytes = FleetCodec.encode(command)
            #expect(bytes.first == 12)
            #expect(try FleetCodec.decodeCommand(bytes) == command)
        }
        let outcomes: [FleetOutcome] = [
            .joinTokenCreated(Self.token()), .joinTokenUsed(id: "0123456789ab", node: "n", usesRemaining: 3),
            .joinTokenRevoked(id: "0123456789ab"), .rejected(.joinTokenRefused), .rejected(.unknownJoinToken("x")),
            .rejected(.tooManyJoinTokens(maximum: 64)), .rejected(.invalidJoinToken("why")),
        ]
        for outcome in outcomes {
            var writer = BinaryWriter()
            FleetCodec.write(outcome, to: &writer)
            var reader = BinaryReader(writer.bytes)
            #expect(try FleetCodec.readOutcome(&reader, textBytesMaximum: 256) == outcome)
        }
    }

    @Test func aSnapshotWithoutTokensStaysInAnOlderVersion() {
        var state = Self.state()
        _ = state.apply(.revokeJoinToken(id: "0123456789ab"), at: 3)
        #expect(FleetCodec.encode(state).first ?? 0 < 12)
    }

    @Test func theUseIsAuditedWithTheNodeName() {
        #expect(AuditAction.of(Self.use()) == (.joinTokenUse, "0123456789ab/node-1"))
    }
}

private extension String {
    /// Two decimal digits.
    init(format2 number: Int) {
        self = number < 10 ? "0\(number)" : "\(number)"
    }
}
