import Fleet
import Primitives
import Testing

/// The audit trail as the state machine keeps it (Docs/AUDIT.md): an audited write applies its
/// command, answers its outcome and records it in the same entry; logins record success, failure
/// and lockout; the trail is bounded (oldest dropped first, counted) and compaction drops by time.
struct AuditStateTests {
    typealias F = AccessFixtures

    static let alice = AuditContext(user: "alice", role: .admin, source: "10.0.0.7", atMilliseconds: 5_000)

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
        state.applyNext(.auditUnknownLogin(.unknown(source: "192.0.2.1", atMilliseconds: 11_000)))
        let records = state.audit.records
        #expect(records.map(\.outcome) == ["failure", "failure", "failure", "failure", "locked", "locked", "success", "failure"])
        #expect(records.allSatisfy { $0.action == .authLogin })
        #expect(records.last == AuditRecord(index: 9, atMilliseconds: 11_000, user: "-", role: nil, source: "192.0.2.1",
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

    @Test func aFullTrailDropsItsOldestAndCountsThem() {
        var state = FleetState()
        let total = AuditTrail.recordsMaximum + 3
        for index in 1...UInt64(total) {
            state.apply(.auditUnknownLogin(.unknown(source: nil, atMilliseconds: index)), at: index)
        }
        #expect(state.audit.count == AuditTrail.recordsMaximum)
        #expect(state.audit.droppedRecords == 3)
        #expect(state.audit.first?.index == 4)
        var newest: [UInt64] = []
        state.audit.forEachNewestFirst { record in
            newest.append(record.index)
            return newest.count < 2
        }
        #expect(newest == [UInt64(total), UInt64(total - 1)])
    }

    @Test func compactionDropsEveryRecordStampedBeforeTheCutOffWhateverItsPlace() {
        var state = FleetState()
        // Coordinators' clocks differ: index order is not time order.
        for (index, at) in [(1, 100), (2, 300), (3, 200), (4, 400), (5, 150)] as [(UInt64, UInt64)] {
            state.apply(.auditUnknownLogin(.unknown(source: nil, atMilliseconds: at)), at: index)
        }
        #expect(state.apply(.compactAudit(beforeMilliseconds: 250), at: 6) == .auditCompacted(removed: 3))
        #expect(state.audit.records.map(\.index) == [2, 4])
        #expect(state.apply(.compactAudit(beforeMilliseconds: 250), at: 7) == .auditCompacted(removed: 0))
        #expect(state.audit.droppedRecords == 0)
    }

    @Test func aContextIsCutToItsBounds() {
        let context = AuditContext(user: String(repeating: "u", count: 40), role: nil, source: String(repeating: "é", count: 40),
                                   atMilliseconds: 1)
        #expect(context.user.utf8.count == AuditContext.userBytesMaximum)
        #expect(context.source.utf8.count == AuditContext.sourceBytesMaximum)
        #expect(AuditContext(user: "a", role: nil, source: nil, atMilliseconds: 1).source == "-")
    }
}
