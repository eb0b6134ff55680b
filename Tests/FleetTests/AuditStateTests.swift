import Fleet
import Primitives
import Testing

/// The audit trail as the state machine keeps it (Docs/AUDIT.md): an audited write applies its
/// command, answers its outcome and records it in the same entry; logins record success, failure
/// and lockout; the trail is bounded in two shares (logins and the rest, each dropping only its own
/// oldest, counted) and compaction drops by time.
struct AuditStateTests {
    typealias F = AccessFixtures

    static let alice = AuditContext(user: "alice", role: .admin, source: "10.0.0.7", atMilliseconds: 5_000)

    /// A login for a name no user has, at `at` from `source`.
    static func unknownLogin(at: UInt64, source: String? = nil) -> FleetCommand {
        .audited(.unknown(source: source, atMilliseconds: at), .recordUnknownLogin)
    }

    @Test func anAuditedWriteAppliesItsCommandAndRecordsWhoDidWhatToWhat() throws {
        var state = F.bootstrapped()
        let outcome = state.applyNext(.audited(Self.alice, .addUser(F.user("bob"))))
        #expect(outcome == .userAdded(name: "bob", role: .viewer))
        #expect(state.users["bob"] != nil)
        #expect(state.audit.records == [AuditRecord(index: 2, atMilliseconds: 5_000, user: "alice", role: .admin, source: "10.0.0.7",
                                                    action: .userAdd, target: "bob", outcome: "applied")])
    }

    @Test func aRefusedWriteIsRecordedWithItsErrorCodeAndChangesNothingElse() throws {
        var state = F.bootstrapped()
        let before = state.users
        #expect(state.applyNext(.audited(Self.alice, .deleteUser(name: "admin"))) == .rejected(.lastAdmin("admin")))
        #expect(state.users == before)
        #expect(state.audit.records.map(\.outcome) == ["refused:last_admin"])
        state.applyNext(.audited(Self.alice, .deleteUnusedEnvironment(name: "nowhere")))
        #expect(state.audit.records.last?.outcome == "refused:not_found")
        #expect(state.audit.records.last?.action == .environmentDelete)
    }

    @Test func loginsRecordSuccessFailureAndLockout() throws {
        var state = F.bootstrapped()
        let admin = AuditContext(user: "admin", role: .admin, source: "::1", atMilliseconds: 10_000)
        for offset in 0..<5 as Range<UInt64> {
            state.applyNext(.audited(admin, .recordLoginFailure(name: "admin", atMilliseconds: 10_000 + offset)))
        }
        state.applyNext(.audited(admin, .recordLoginFailure(name: "admin", atMilliseconds: 10_010)))
        state.applyNext(.audited(admin, .recordLoginSuccess(name: "admin")))
        let afterTheLock = AuditContext(user: "admin", role: .admin, source: "::1", atMilliseconds: 1_000_000)
        state.applyNext(.audited(afterTheLock, .recordLoginSuccess(name: "admin")))
        #expect(state.applyNext(Self.unknownLogin(at: 11_000, source: "192.0.2.1")) == .unknownLoginRecorded)
        let records = state.audit.records
        #expect(records.map(\.outcome)
                == ["failure", "failure", "failure", "failure", "locked", "locked", "locked", "success", "failure"])
        #expect(records.allSatisfy { $0.action == .authLogin })
        #expect(records.last == AuditRecord(index: 10, atMilliseconds: 11_000, user: "-", role: nil, source: "192.0.2.1",
                                            action: .authLogin, target: "-", outcome: "failure"))
    }

    @Test func eachAPIWriteHasItsAction() {
        let key = F.key(2, createdAt: 2_000)
        let cases: [(FleetCommand, AuditAction, String)] = [
            (.putEnvironment(EnvironmentRecord(name: "edge", defaultStrategy: .canary, requiresApproval: false)), .environmentPut, "edge"),
            (.deleteUnusedEnvironment(name: "qa"), .environmentDelete, "qa"),
            (.putMember(ClusterMemberRecord(name: "c4", peerAddress: "10.0.0.4:7000")), .clusterMemberAdd, "c4"),
            (.deleteMember(name: "c4"), .clusterMemberRemove, "c4"),
            (.deleteNode(id: "web-1"), .nodeRemove, "web-1"),
            (.revokeNode(NodeRevocation(node: "web-2", revokedAtMilliseconds: 1)), .nodeRevoke, "web-2"),
            (.unrevokeNode(name: "web-2"), .nodeUnrevoke, "web-2"),
            (.addUser(F.user("carol")), .userAdd, "carol"),
            (.setPassword(name: "carol", digest: F.digest(3)), .userPassword, "carol"),
            (.unlockUser(name: "carol"), .userUnlock, "carol"),
            (.deleteUser(name: "carol"), .userDelete, "carol"),
            (.rotateSigningKey(key, overlapMilliseconds: 0), .authRotateKey, key.idHex),
        ]
        var state = F.bootstrapped()
        for (command, action, target) in cases {
            state.applyNext(.audited(Self.alice, command))
            #expect(state.audit.records.last?.action == action, "\(command)")
            #expect(state.audit.records.last?.target == target, "\(command)")
        }
        #expect(state.audit.records.filter { $0.outcome != "applied" }.map(\.action) == [.nodeRemove])
    }

    /// A write's record (a refused unlock: nothing else changes) at `at`.
    static func write(at: UInt64) -> FleetCommand {
        .audited(AuditContext(user: "alice", role: .admin, source: nil, atMilliseconds: at), .unlockUser(name: "nobody"))
    }

    @Test func aFloodOfLoginsDropsOnlyEarlierLoginsAndCountsThem() {
        var state = FleetState()
        state.apply(Self.write(at: 1), at: 1)
        // As many logins as the whole trail holds.
        let logins = AuditTrail.recordsMaximum
        for index in 2...UInt64(logins + 1) {
            state.apply(Self.unknownLogin(at: index), at: index)
        }
        #expect(state.audit.first?.index == 1, "the write's record outlives the flood")
        #expect(state.audit.first?.action == .userUnlock)
        #expect(state.audit.count == AuditTrail.loginRecordsMaximum + 1)
        let dropped = AuditTrail.recordsMaximum - AuditTrail.loginRecordsMaximum
        #expect((state.audit.droppedLogins, state.audit.droppedWrites) == (UInt64(dropped), 0))
        #expect(state.audit.records.dropFirst().first?.index == UInt64(2 + dropped), "the earliest logins were dropped")
        var newest: [UInt64] = []
        state.audit.forEachNewestFirst { record in
            newest.append(record.index)
            return newest.count < 2
        }
        #expect(newest == [UInt64(logins + 1), UInt64(logins)])
    }

    @Test func writesFillTheirOwnShareAndDropOnlyEarlierWrites() {
        var state = FleetState()
        state.apply(Self.unknownLogin(at: 1), at: 1)
        let writes = AuditTrail.writeRecordsMaximum + 2
        for index in 2...UInt64(writes + 1) {
            state.apply(Self.write(at: index), at: index)
        }
        #expect(state.audit.count == AuditTrail.recordsMaximum - AuditTrail.loginRecordsMaximum + 1)
        #expect(state.audit.records.count(where: { $0.action == .authLogin }) == 1)
        #expect((state.audit.droppedLogins, state.audit.droppedWrites) == (0, 2))
        #expect(state.audit.first?.index == 1, "the login's record outlives the writes")
        #expect(state.audit.records.map(\.index) == [1] + Array(4...UInt64(writes + 1)), "index order across both shares")
    }

    @Test func compactionDropsEveryRecordStampedBeforeTheCutOffWhateverItsPlace() {
        var state = FleetState()
        // Coordinators' clocks differ: index order is not time order.
        for (index, at) in [(1, 100), (2, 300), (3, 200), (4, 400), (5, 150), (6, 120), (7, 350)] as [(UInt64, UInt64)] {
            state.apply(index % 2 == 0 ? Self.write(at: at) : Self.unknownLogin(at: at), at: index)
        }
        #expect(state.apply(.compactAudit(beforeMilliseconds: 250), at: 8) == .auditCompacted(removed: 4))
        #expect(state.audit.records.map(\.index) == [2, 4, 7])
        #expect(state.apply(.compactAudit(beforeMilliseconds: 250), at: 9) == .auditCompacted(removed: 0))
        #expect((state.audit.droppedLogins, state.audit.droppedWrites) == (0, 0), "compaction is not counted as dropping")
    }

    @Test func aCutFallsOnAScalarBoundaryNotAGraphemeOne() {
        // "e" and a combining acute accent (U+0301, 2 bytes) are one grapheme: a cut after 32 bytes
        // keeps the "e" and drops the accent, whatever the Unicode version's grapheme rules say.
        let user = String(repeating: "u", count: 31) + "e\u{301}"
        #expect(AuditContext(user: user, role: nil, source: nil, atMilliseconds: 1).user == String(repeating: "u", count: 31) + "e")
        let source = String(repeating: "s", count: 63) + "\u{1F600}"
        #expect(AuditContext(user: "a", role: nil, source: source, atMilliseconds: 1).source == String(repeating: "s", count: 63))
    }

    @Test func aRecordIsCutToItsBoundsSoItsSnapshotDecodes() throws {
        let long = String(repeating: "x", count: 1_000)
        let record = AuditRecord(index: 1, atMilliseconds: 1, user: long, role: nil, source: long, action: .userAdd, target: long,
                                 outcome: long)
        #expect(record.user.utf8.count == AuditContext.userBytesMaximum)
        #expect(record.source.utf8.count == AuditContext.sourceBytesMaximum)
        #expect(record.target.utf8.count == AuditRecord.targetBytesMaximum)
        #expect(record.outcome.utf8.count == AuditRecord.outcomeBytesMaximum)
        #expect(try FleetCodec.decodeState(FleetCodecAuditTests.snapshot([record], 1)).audit.records == [record])
    }

    @Test func theLeaderReplacesAContextTimeFarFromItsClock() {
        let leader: UInt64 = 1_800_000_000_000
        let skew = AuditContext.clockSkewMaximumMilliseconds
        for at in [leader, leader - skew, leader + skew] {
            let context = AuditContext(user: "a", role: .admin, source: nil, atMilliseconds: at)
            #expect(context.stamped(leaderMilliseconds: leader) == context)
        }
        for at in [0, leader - skew - 1, leader + skew + 1, .max] as [UInt64] {
            let context = AuditContext(user: "a", role: .admin, source: "::1", atMilliseconds: at)
            #expect(context.stamped(leaderMilliseconds: leader)
                    == AuditContext(user: "a", role: .admin, source: "::1", atMilliseconds: leader), "\(at)")
        }
    }

    @Test func aContextIsCutToItsBounds() {
        let context = AuditContext(user: String(repeating: "u", count: 40), role: nil, source: String(repeating: "é", count: 40),
                                   atMilliseconds: 1)
        #expect(context.user.utf8.count == AuditContext.userBytesMaximum)
        #expect(context.source.utf8.count == AuditContext.sourceBytesMaximum)
        #expect(AuditContext(user: "a", role: nil, source: nil, atMilliseconds: 1).source == "-")
    }
}
