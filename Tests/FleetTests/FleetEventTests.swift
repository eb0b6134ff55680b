import Fleet
import Primitives
import Testing

/// Which applied commands are events (Docs/EVENTS.md): changes of environments, nodes, users and
/// members, each at its command's index; bookkeeping and refusals are none.
struct FleetEventTests {
    typealias F = AccessFixtures

    /// Applies `command` at the next index and derives its event.
    static func event(_ state: inout FleetState, _ command: FleetCommand) -> FleetEvent? {
        let index = state.appliedIndex + 1
        return state.apply(command, at: index).flatMap { FleetEvent(outcome: $0, index: index) }
    }

    /// Deployment commands are `deployment` events, approvals `approval` events; a repeat that
    /// changed nothing, a refusal and a compaction are none.
    @Test func deploymentChangesAreEventsButRepeatsAreNot() throws {
        var state = DeploymentFixtures.state()
        let created = try #require(Self.event(&state, .createDeployment(DeploymentFixtures.record(environment: "staging"))))
        guard case let .deployment(summary) = created.change else { Issue.record("not a deployment event"); return }
        #expect(created.kind == .deployment && !created.isAdminOnly)
        #expect(summary.id == "d1" && summary.state == .awaitingApproval && summary.change == .created)
        let approved = Self.event(&state, .decideApproval(id: "d1", approve: true, by: "root", reason: "", atMilliseconds: 1))
        #expect(approved?.kind == .approval)
        let baseline = DeploymentFixtures.baseline(1)
        #expect(Self.event(&state, .startWave(id: "d1", wave: 0, baseline: baseline, atMilliseconds: 2))?.kind == .deployment)
        #expect(Self.event(&state, .startWave(id: "d1", wave: 0, baseline: baseline, atMilliseconds: 3)) == nil, "a repeat")
        #expect(Self.event(&state, .startWave(id: "d9", wave: 0, baseline: baseline, atMilliseconds: 3)) == nil, "refused")
        #expect(Self.event(&state, .compactDeployments(beforeMilliseconds: 5)) == nil)
    }

    @Test func environmentAndNodeChangesAreEventsAtTheirIndex() {
        var state = FleetState()
        let record = EnvironmentRecord(name: "edge", defaultStrategy: .rolling, requiresApproval: false)
        #expect(Self.event(&state, .putEnvironment(record)) == FleetEvent(index: 1, change: .environmentStored(record, created: true)))
        #expect(Self.event(&state, .putEnvironment(record))?.change == .environmentStored(record, created: false))
        let node = NodeRecord(id: "web-1", environment: "edge", labels: ["zone": "a"])
        #expect(Self.event(&state, .putNode(node)) == FleetEvent(index: 3, change: .nodeStored(node, created: true)))
        #expect(Self.event(&state, .deleteUnusedEnvironment(name: "edge")) == nil, "refused: a node is in it")
        let revocation = NodeRevocation(node: "web-1", revokedAtMilliseconds: 5_000)
        #expect(Self.event(&state, .revokeNode(revocation))?.change == .nodeRevoked(revocation))
        #expect(Self.event(&state, .unrevokeNode(name: "web-1"))?.change == .nodeUnrevoked(name: "web-1"))
        #expect(Self.event(&state, .deleteNode(id: "web-1"))?.change == .nodeDeleted(id: "web-1"))
        let deleted = Self.event(&state, .deleteUnusedEnvironment(name: "edge"))
        #expect(deleted == FleetEvent(index: 8, change: .environmentDeleted(name: "edge")))
        #expect(deleted?.kind == .environment)
    }

    @Test func userChangesAreEventsButLoginBookkeepingIsNot() {
        var state = FleetState()
        let bootstrap = FleetCommand.bootstrapAdmin(F.user("admin", .admin), signingKey: F.key(1, createdAt: 1_000))
        #expect(Self.event(&state, bootstrap)?.change == .userAdded(name: "admin", role: .admin))
        #expect(Self.event(&state, .addUser(F.user("vera")))?.change == .userAdded(name: "vera", role: .viewer))
        #expect(Self.event(&state, .setPassword(name: "vera", digest: F.digest(2)))?.change == .passwordChanged(name: "vera"))
        for attempt in 1...4 {
            #expect(Self.event(&state, .recordLoginFailure(name: "vera", atMilliseconds: 10_000)) == nil, "failure \(attempt)")
        }
        let locked = Self.event(&state, .recordLoginFailure(name: "vera", atMilliseconds: 10_000))
        #expect(locked?.change == .userLocked(name: "vera", untilMilliseconds: 70_000))
        #expect(locked?.kind == .user)
        // A failure while locked lengthens the lock but is no event: guesses cannot flood the journal.
        #expect(Self.event(&state, .recordLoginFailure(name: "vera", atMilliseconds: 20_000)) == nil)
        let whileLocked = AuditContext(user: "vera", role: .viewer, source: nil, atMilliseconds: 30_000)
        #expect(Self.event(&state, .audited(whileLocked, .recordLoginSuccess(name: "vera"))) == nil,
                "a right password meeting the lock changes nothing: no event")
        #expect(Self.event(&state, .unlockUser(name: "vera"))?.change == .userUnlocked(name: "vera"))
        #expect(Self.event(&state, .recordLoginSuccess(name: "vera")) == nil)
        #expect(Self.event(&state, .rotateSigningKey(F.key(2, createdAt: 2_000), overlapMilliseconds: 0)) == nil)
        #expect(Self.event(&state, .deleteUser(name: "vera"))?.change == .userDeleted(name: "vera"))
        #expect(Self.event(&state, .deleteUser(name: "vera")) == nil, "refused: unknown")
        #expect(Self.event(&state, bootstrap) == nil, "skipped: users exist")
    }

    /// What the admin-only routes show is for admins only; a deletion or a new password revokes
    /// the user's tokens, and with them its streams.
    @Test func userEventsAndRevocationsAreForAdminsOnly() {
        let revocation = NodeRevocation(node: "web-1", revokedAtMilliseconds: 5_000)
        let adminOnly: [FleetEvent.Change] = [
            .userAdded(name: "vera", role: .viewer), .userDeleted(name: "vera"), .passwordChanged(name: "vera"),
            .userLocked(name: "vera", untilMilliseconds: 1), .userUnlocked(name: "vera"), .nodeRevoked(revocation),
            .nodeUnrevoked(name: "web-1"),
        ]
        let everyone: [FleetEvent.Change] = [
            .environmentDeleted(name: "edge"), .nodeDeleted(id: "web-1"), .memberRemoved(name: "c4"),
            .nodeStored(NodeRecord(id: "web-1", environment: "edge", labels: [:]), created: true),
        ]
        #expect(adminOnly.allSatisfy { FleetEvent(index: 1, change: $0).isAdminOnly })
        #expect(everyone.allSatisfy { !FleetEvent(index: 1, change: $0).isAdminOnly })
        #expect(adminOnly.compactMap { FleetEvent(index: 1, change: $0).revokesTokensOf } == ["vera", "vera"])
    }

    @Test func membersAreEventsAndInternalRecordsAreNot() {
        var state = FleetState()
        let member = ClusterMemberRecord(name: "c4", peerAddress: "10.0.0.4:7000")
        #expect(Self.event(&state, .putMember(member)) == FleetEvent(index: 1, change: .memberAdded(member)))
        #expect(Self.event(&state, .deleteMember(name: "c4"))?.change == .memberRemoved(name: "c4"))
        #expect(Self.event(&state, .deleteMember(name: "c4"))?.kind == .member)
        let addresses = AdvertisedAddresses(name: "c1", apiAddress: "127.0.0.1:1", agentAddress: "127.0.0.1:2")
        #expect(Self.event(&state, .publishAddresses(addresses)) == nil)
        let ticketKey = TicketKeyRecord(name: Array(repeating: 1, count: TicketKeyRecord.nameBytes),
                                        secret: Array(repeating: 2, count: TicketKeyRecord.secretBytes), createdAtMilliseconds: 1)
        #expect(Self.event(&state, .addTicketKey(ticketKey)) == nil)
    }
}
