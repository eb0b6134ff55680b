import Primitives
import Testing

@testable import Fleet

/// An enrollment binds its node to the environment it named (FleetState+EnrolledEnvironments.swift): the node's
/// inventory may not report another one, whatever the token allowed; nodes that never enrolled move freely.
@Suite struct EnrolledEnvironmentStateTests {
    typealias Tokens = JoinTokenStateTests
    static let tokenID = "0123456789ab"

    static func enroll(_ node: String = "node-1", environment: String = "staging",
                       hash: [UInt8] = Tokens.hash) -> FleetCommand {
        .enrollNode(id: tokenID, secretHash: hash, node: node, environment: environment, atMilliseconds: Tokens.createdAt + 1)
    }

    static func put(_ environment: String, node: String = "node-1") -> FleetCommand {
        .putNode(NodeRecord(id: node, environment: environment))
    }

    static func enrolledState(tokenEnvironment: String? = "staging") -> FleetState {
        var state = Tokens.state(with: Tokens.token(uses: 10, environment: tokenEnvironment))
        #expect(state.apply(enroll(), at: 3) == .joinTokenUsed(id: tokenID, node: "node-1", usesRemaining: 9))
        return state
    }

    @Test(arguments: ["staging", nil] as [String?])
    func anEnrolledNodeMayOnlyReportTheEnvironmentItEnrolledFor(tokenEnvironment: String?) {
        var state = Self.enrolledState(tokenEnvironment: tokenEnvironment)
        #expect(state.enrolledEnvironments == ["node-1": "staging"])
        let refusal = "node node-1 enrolled for environment 'staging' and may not report 'production': run its agent "
            + "with --environment staging, or remove the node and enroll it again with a token for 'production'"
        #expect(state.enrolledEnvironmentRefusal(node: "node-1", reports: "production") == refusal)
        #expect(state.enrolledEnvironmentRefusal(node: "node-1", reports: "staging") == nil)
        #expect(state.apply(Self.put("production"), at: 4) == .rejected(.invalidNode(refusal)))
        #expect(state.nodes["node-1"] == nil)
        #expect(state.apply(Self.put("staging"), at: 5) == .nodeStored(NodeRecord(id: "node-1", environment: "staging"), created: true))
        #expect(state.apply(Self.put("production"), at: 6) == .rejected(.invalidNode(refusal)))
        #expect(state.nodes["node-1"]?.environment == "staging")
    }

    @Test func aNodeThatNeverEnrolledMovesBetweenEnvironmentsAsBefore() {
        var state = FleetState()
        #expect(state.apply(Self.put("staging"), at: 1) != nil)
        #expect(state.apply(Self.put("production"), at: 2) == .nodeStored(NodeRecord(id: "node-1", environment: "production"),
                                                                          created: false))
        #expect(state.enrolledEnvironmentRefusal(node: "node-1", reports: "qa") == nil)
    }

    /// A use written before version 13 (`useJoinToken`) bound nothing when it applied, and binds nothing on replay.
    @Test func anOlderUseBindsNothing() {
        var state = Tokens.state(with: Tokens.token(uses: 10, environment: "staging"))
        let use = FleetCommand.useJoinToken(id: Self.tokenID, secretHash: Tokens.hash, node: "node-1", environment: "staging",
                                            atMilliseconds: Tokens.createdAt + 1)
        #expect(state.apply(use, at: 3) == .joinTokenUsed(id: Self.tokenID, node: "node-1", usesRemaining: 9))
        #expect(state.enrolledEnvironments.isEmpty)
        #expect(state.apply(Self.put("production"), at: 4) != .rejected(.joinTokenRefused))
        #expect(state.nodes["node-1"]?.environment == "production")
    }

    @Test func aRefusedEnrollmentBindsNothing() {
        var state = Tokens.state(with: Tokens.token(uses: 10, environment: "staging"))
        #expect(state.apply(Self.enroll(environment: "production"), at: 3) == .rejected(.joinTokenRefused))
        #expect(state.apply(Self.enroll(hash: [UInt8](repeating: 8, count: 32)), at: 4) == .rejected(.joinTokenRefused))
        #expect(state.apply(Self.enroll(environment: "Not Valid"), at: 5) == .rejected(.joinTokenRefused))
        #expect(state.enrolledEnvironments.isEmpty)
        #expect(state.joinTokens[Self.tokenID]?.usesRemaining == 10)
    }

    /// Removing the node keeps the binding (its certificate still works); enrolling the name again replaces it.
    @Test func theBindingOutlivesTheNodeAndAnotherEnrollmentReplacesIt() {
        var state = Self.enrolledState(tokenEnvironment: nil)
        #expect(state.apply(Self.put("staging"), at: 4) != nil)
        #expect(state.apply(.deleteNode(id: "node-1"), at: 5) == .nodeDeleted(id: "node-1"))
        #expect(state.apply(Self.put("production"), at: 6) == .rejected(.invalidNode(
            state.enrolledEnvironmentRefusal(node: "node-1", reports: "production") ?? "")))
        #expect(state.apply(Self.enroll(environment: "production"), at: 7) == .joinTokenUsed(id: Self.tokenID, node: "node-1",
                                                                                            usesRemaining: 8))
        #expect(state.enrolledEnvironments == ["node-1": "production"])
        #expect(state.apply(Self.put("production"), at: 8) == .nodeStored(NodeRecord(id: "node-1", environment: "production"),
                                                                          created: true))
    }

    /// A full table first drops the bindings of names both out of the fleet and revoked; when none is, a new name is refused.
    @Test func theTableIsBoundedAndDropsOnlyForgottenAndRevokedNames() {
        var state = Tokens.state(with: Tokens.token(uses: 10, environment: nil))
        let names = (0..<FleetState.enrolledEnvironmentsMaximum).map { "n\($0)" }
        state.enrolledEnvironments = Dictionary(uniqueKeysWithValues: names.map { ($0, "staging") })
        let full = FleetRejection.tooManyNodes(maximum: FleetState.enrolledEnvironmentsMaximum)
        #expect(state.apply(Self.enroll("newcomer"), at: 3) == .rejected(full))
        #expect(state.apply(.revokeNode(NodeRevocation(node: "n1", revokedAtMilliseconds: 1)), at: 4) != nil)
        #expect(state.apply(.revokeNode(NodeRevocation(node: "n2", revokedAtMilliseconds: 1)), at: 5) != nil)
        #expect(state.apply(Self.put("staging", node: "n2"), at: 6) != nil)
        #expect(state.apply(Self.enroll("newcomer"), at: 7) == .joinTokenUsed(id: Self.tokenID, node: "newcomer", usesRemaining: 9))
        #expect(state.enrolledEnvironments.count == FleetState.enrolledEnvironmentsMaximum)
        #expect(state.enrolledEnvironments["n1"] == nil && state.enrolledEnvironments["n2"] == "staging")
        #expect(state.enrolledEnvironments["newcomer"] == "staging")
    }

    @Test func enrollmentsAndTheirBindingsRoundTripInVersion13() throws {
        let command = Self.enroll()
        let bytes = FleetCodec.encode(command)
        #expect(bytes.first == 13)
        #expect(try FleetCodec.decodeCommand(bytes) == command)
        let audited = FleetCommand.audited(AuditContext(user: "agent/node-1", role: nil, source: nil, atMilliseconds: 1), command)
        #expect(try FleetCodec.decodeCommand(FleetCodec.encode(audited)) == audited)
        let state = Self.enrolledState()
        let snapshot = FleetCodec.encode(state)
        #expect(snapshot.first == 13)
        #expect(try FleetCodec.decodeState(snapshot) == state)
        #expect(AuditAction.of(command) == (.joinTokenUse, "\(Self.tokenID)/node-1"))
    }

    /// A version-12 member never sees an `enrollNode`: its tag in an older entry is refused, and so is a version-13
    /// entry by a build that reads only 12 (`versionsRead` is checked first).
    @Test func theEnrollmentTagIsRefusedInAnOlderVersion() {
        var bytes = FleetCodec.encode(Self.enroll())
        bytes[0] = 12
        #expect(throws: BinaryDecodingError.self) { try FleetCodec.decodeCommand(bytes) }
    }

    @Test(arguments: [("Bad Node", "staging"), ("node-1", "Not Valid")])
    func aSnapshotWithAnInvalidBindingIsRefused(node: String, environment: String) {
        var state = Self.enrolledState()
        state.enrolledEnvironments[node] = environment
        #expect(throws: BinaryDecodingError.self) { try FleetCodec.decodeState(FleetCodec.encode(state)) }
    }
}
