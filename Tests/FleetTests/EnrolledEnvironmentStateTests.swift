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

    static let at = Tokens.createdAt + 1
    static let binding = EnrolledBinding(environment: "staging", enrolledAtMilliseconds: at)

    static func refusal(_ bound: String, _ reported: String, node: String = "node-1") -> String {
        "run the agent with --environment \(bound), or remove (and unrevoke) the node and enroll it with a token "
            + "for '\(reported)': node \(node) enrolled for '\(bound)', not '\(reported)'"
    }

    static func enrolledState(tokenEnvironment: String? = "staging") -> FleetState {
        var state = Tokens.state(with: Tokens.token(uses: 10, environment: tokenEnvironment))
        #expect(state.apply(enroll(), at: 3) == .joinTokenUsed(id: tokenID, node: "node-1", usesRemaining: 9))
        return state
    }

    @Test(arguments: ["staging", nil] as [String?])
    func anEnrolledNodeMayOnlyReportTheEnvironmentItEnrolledFor(tokenEnvironment: String?) {
        var state = Self.enrolledState(tokenEnvironment: tokenEnvironment)
        #expect(state.enrolledEnvironments == ["node-1": Self.binding])
        let refusal = Self.refusal("staging", "production")
        #expect(state.enrolledEnvironmentRefusal(node: "node-1", reports: "production") == refusal)
        #expect(state.enrolledEnvironmentRefusal(node: "node-1", reports: "staging") == nil)
        #expect(state.apply(Self.put("production"), at: 4) == .rejected(.invalidNode(refusal)))
        #expect(state.nodes["node-1"] == nil)
        #expect(state.apply(Self.put("staging"), at: 5) == .nodeStored(NodeRecord(id: "node-1", environment: "staging"), created: true))
        #expect(state.nodes["node-1"]?.environment == "staging")
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
        #expect(state.apply(Self.put("production"), at: 4) == .nodeStored(NodeRecord(id: "node-1", environment: "production"),
                                                                          created: true))
        #expect(state.nodes["node-1"]?.environment == "production")
    }

    @Test func aRefusedEnrollmentBindsNothing() {
        var state = Tokens.state(with: Tokens.token(uses: 10, environment: "staging"))
        state.enrolledEnvironments = ["node-1": EnrolledBinding(environment: "qa", enrolledAtMilliseconds: 1)]
        let before = state.enrolledEnvironments
        #expect(state.apply(Self.enroll(environment: "production"), at: 3) == .rejected(.joinTokenRefused))
        #expect(state.apply(Self.enroll(hash: [UInt8](repeating: 8, count: 32)), at: 4) == .rejected(.joinTokenRefused))
        #expect(state.apply(Self.enroll(environment: "Not Valid"), at: 5) == .rejected(.joinTokenRefused))
        #expect(state.enrolledEnvironments == before)
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
        #expect(state.enrolledEnvironments == ["node-1": EnrolledBinding(environment: "production", enrolledAtMilliseconds: Self.at)])
        #expect(state.apply(Self.put("production"), at: 8) == .nodeStored(NodeRecord(id: "node-1", environment: "production"),
                                                                          created: true))
    }

    /// A full table refuses a new name, and nothing changes (the token is not used); no binding is ever dropped, not even
    /// a revoked and forgotten name's (whose older certificate `nodes unrevoke` would revive); enrolled names enroll again.
    @Test func aFullTableRefusesNewNamesAndDropsNone() {
        var state = Tokens.state(with: Tokens.token(uses: 10, environment: nil))
        let names = (0..<FleetState.enrolledEnvironmentsMaximum).map { "n\($0)" }
        state.enrolledEnvironments = Dictionary(uniqueKeysWithValues: names.map { ($0, Self.binding) })
        #expect(state.apply(.revokeNode(NodeRevocation(node: "n1", revokedAtMilliseconds: 1)), at: 3) != nil)
        let before = state.enrolledEnvironments
        guard case let .rejected(.invalidNode(reason)) = state.apply(Self.enroll("newcomer"), at: 4) else {
            Issue.record("a new name was not refused by the full table")
            return
        }
        #expect(reason.hasPrefix("enrolled-name table full (16384 names"))
        #expect(state.enrolledEnvironments == before && state.joinTokens[Self.tokenID]?.usesRemaining == 10)
        #expect(state.apply(Self.enroll("n2"), at: 5) == .joinTokenUsed(id: Self.tokenID, node: "n2", usesRemaining: 9))
        #expect(state.enrolledEnvironments.count == FleetState.enrolledEnvironmentsMaximum)
    }

    /// A hello's certificate must be from the node's latest enrollment: issued (notBefore + the issuer's backdating)
    /// no earlier than the enrollment's second. Unknown notBefore is refused; never-enrolled names pass.
    @Test(arguments: [
        (nil, 0 as Int64?, "staging", false), (Self.binding, nil, "staging", true),
        (Self.binding, Int64(Self.at / 1_000) - 301, "staging", true), (Self.binding, Int64(Self.at / 1_000) - 300, "staging", false),
        (Self.binding, Int64(Self.at / 1_000) + 86_400, "staging", false), (Self.binding, Int64.max, "staging", false),
        (Self.binding, Int64(Self.at / 1_000), "production", false),
    ] as [(EnrolledBinding?, Int64?, String, Bool)])
    func aHelloNeedsACertificateFromTheLatestEnrollment(bound: EnrolledBinding?, notBefore: Int64?, reports: String,
                                                         predates: Bool) {
        let refusal = FleetState.enrolledEnvironmentRefusal(node: "node-1", bound: bound, reports: reports,
                                                            notBeforeSeconds: notBefore, backdatingSeconds: 300)
        let predating = "enroll the host again or use the certificate its latest enrollment issued: node node-1 presented "
            + "a certificate from before the node's latest enrollment"
        let expected = predates ? predating : (bound == nil || reports == "staging" ? nil : Self.refusal("staging", reports))
        #expect(refusal == expected)
    }

    /// The refusals fit the agent refusal frame's 256 bytes with a 63-byte name, so the remedy first is never cut.
    @Test func refusalsFitTheRefusalFrame() {
        let name = String(repeating: "n", count: NodeName.bytesMaximum)
        let bound = EnrolledBinding(environment: "staging", enrolledAtMilliseconds: 10_000_000)
        for notBefore in [0, 20_000] as [Int64] {
            let refusal = FleetState.enrolledEnvironmentRefusal(node: name, bound: bound, reports: "production",
                                                                notBeforeSeconds: notBefore, backdatingSeconds: 300)
            #expect(refusal?.hasPrefix(notBefore == 0 ? "enroll the host again" : "run the agent") == true)
            #expect((refusal?.utf8.count ?? 256) < 256)
        }
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
        #expect(AuditAction.of(command) == (.joinTokenUse, "\(Self.tokenID)/node-1@staging"))
    }

    /// A version-12 member never sees an `enrollNode`: its tag in an older entry is refused, and so is a version-13
    /// entry by a build that reads only 12 (`versionsRead` is checked first).
    @Test func theEnrollmentTagIsRefusedInAnOlderVersion() {
        var bytes = FleetCodec.encode(Self.enroll())
        bytes[0] = 12
        #expect(throws: BinaryDecodingError.self) { try FleetCodec.decodeCommand(bytes) }
    }

    static func decodingDetail(_ bytes: [UInt8]) -> String? {
        do {
            _ = try FleetCodec.decodeState(bytes)
            return nil
        } catch {
            guard case let .invalidValue(_, detail) = error else { return "\(error)" }
            return detail
        }
    }

    @Test(arguments: [("Bad Node", "staging"), ("node-1", "Not Valid")])
    func aSnapshotWithAnInvalidBindingIsRefused(node: String, environment: String) {
        var state = Self.enrolledState()
        state.enrolledEnvironments[node] = EnrolledBinding(environment: environment, enrolledAtMilliseconds: 1)
        #expect(Self.decodingDetail(FleetCodec.encode(state))
            == "an enrolled node '\(node)' or its environment '\(environment)' is invalid")
    }

    /// The bindings are canonical: sorted by name, each once (bytes edited from a valid snapshot).
    @Test func aSnapshotWithUnsortedOrRepeatedBindingsIsRefused() throws {
        var state = Self.enrolledState()
        state.enrolledEnvironments = ["bind-a": Self.binding, "bind-b": Self.binding]
        let bytes = FleetCodec.encode(state)
        #expect(try FleetCodec.decodeState(bytes) == state)
        let first = try #require(Self.range(of: "bind-a", in: bytes)), second = try #require(Self.range(of: "bind-b", in: bytes))
        var swapped = bytes, repeated = bytes
        swapped.replaceSubrange(first, with: Array("bind-b".utf8))
        swapped.replaceSubrange(second, with: Array("bind-a".utf8))
        repeated.replaceSubrange(second, with: Array("bind-a".utf8))
        #expect(Self.decodingDetail(swapped) == "enrolled node bind-a out of order after bind-b")
        #expect(Self.decodingDetail(repeated) == "enrolled node bind-a named twice")
    }

    static func range(of text: String, in bytes: [UInt8]) -> Range<Int>? {
        let needle = Array(text.utf8)
        let start = (0...(bytes.count - needle.count)).first { Array(bytes[$0..<($0 + needle.count)]) == needle }
        return start.map { $0..<($0 + needle.count) }
    }
}
