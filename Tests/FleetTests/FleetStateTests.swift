import Fleet
import Testing

struct FleetStateTests {
    @Test func newClusterHasTheFourDefaultEnvironmentsWithApprovalOnStagingAndProduction() {
        let state = FleetState()
        #expect(state.sortedEnvironments.map(\.name) == ["development", "production", "qa", "staging"])
        #expect(state.environments["production"]?.requiresApproval == true)
        #expect(state.environments["staging"]?.requiresApproval == true)
        #expect(state.environments["development"]?.requiresApproval == false)
    }

    @Test func putCreatesThenReplacesAnEnvironment() {
        var state = FleetState()
        let first = EnvironmentRecord(name: "edge", defaultStrategy: .canary, requiresApproval: true)
        #expect(state.apply(.putEnvironment(first), at: 1) == .environmentStored(first, created: true))
        var second = first
        second.defaultStrategy = .rolling
        #expect(state.apply(.putEnvironment(second), at: 2) == .environmentStored(second, created: false))
        #expect(state.environments["edge"] == second)
        #expect(state.appliedIndex == 2)
    }

    @Test func replayingAnAppliedIndexChangesNothing() {
        var state = FleetState()
        let record = EnvironmentRecord(name: "edge", defaultStrategy: .direct, requiresApproval: false)
        state.apply(.putEnvironment(record), at: 5)
        let before = state
        #expect(state.apply(.deleteEnvironment(name: "edge"), at: 5) == nil)
        #expect(state.apply(.deleteEnvironment(name: "edge"), at: 3) == nil)
        #expect(state == before)
    }

    @Test(arguments: ["", "Prod", "-x", "a_b", "a/b", String(repeating: "a", count: 64)])
    func invalidNamesAreRejected(name: String) {
        var state = FleetState()
        let record = EnvironmentRecord(name: name, defaultStrategy: .direct, requiresApproval: false)
        #expect(state.apply(.putEnvironment(record), at: 1) == .rejected(.invalidName(name)))
        #expect(state.environments[name] == nil)
    }

    @Test func deletingAMissingEnvironmentIsRejected() {
        var state = FleetState()
        #expect(state.apply(.deleteEnvironment(name: "nope"), at: 1) == .rejected(.notFound("nope")))
    }

    @Test func environmentTableStopsAtItsBound() {
        var state = FleetState()
        var index: UInt64 = 0
        while state.environments.count < FleetState.environmentsMaximum {
            index += 1
            state.apply(.putEnvironment(EnvironmentRecord(name: "e\(index)", defaultStrategy: .direct,
                                                          requiresApproval: false)), at: index)
        }
        let overflow = EnvironmentRecord(name: "one-too-many", defaultStrategy: .direct, requiresApproval: false)
        #expect(state.apply(.putEnvironment(overflow), at: index + 1)
                    == .rejected(.tooManyEnvironments(maximum: FleetState.environmentsMaximum)))
        #expect(state.environments.count == FleetState.environmentsMaximum)
    }

    @Test func approvalTimeoutOutsideItsRangeIsRejected() {
        var state = FleetState()
        let record = EnvironmentRecord(name: "edge", defaultStrategy: .direct, requiresApproval: true,
                                       approvalTimeoutSeconds: 5)
        #expect(state.apply(.putEnvironment(record), at: 1) == .rejected(.invalidApprovalTimeout(5)))
    }

    @Test func membersAreRegisteredReplacedAndRemovedWithinTheirBound() {
        var state = FleetState()
        let member = ClusterMemberRecord(name: "c4", peerAddress: "10.0.0.4:7000")
        #expect(state.apply(.putMember(member), at: 1) == .memberStored(member))
        let moved = ClusterMemberRecord(name: "c4", peerAddress: "10.0.0.5:7000")
        #expect(state.apply(.putMember(moved), at: 2) == .memberStored(moved))
        #expect(state.members == ["c4": moved])
        #expect(state.apply(.deleteMember(name: "c4"), at: 3) == .memberDeleted(name: "c4"))
        #expect(state.members.isEmpty)
        for index in 0..<FleetState.membersMaximum {
            state.apply(.putMember(ClusterMemberRecord(name: "m\(index)", peerAddress: "10.0.1.\(index):7000")), at: 10 + UInt64(index))
        }
        #expect(state.apply(.putMember(member), at: 100) == .rejected(.tooManyMembers(maximum: FleetState.membersMaximum)))
    }

    @Test func nodesAreStoredWhenValidAndBounded() {
        var state = FleetState()
        let node = NodeRecord(id: "node-1", environment: "qa", labels: ["zone": "a"], moduleVersions: ["web": "1.0"])
        #expect(state.apply(.putNode(node), at: 1) == .nodeStored(node, created: true))
        #expect(state.apply(.putNode(node), at: 2) == .nodeStored(node, created: false))
        let badEnvironment = NodeRecord(id: "node-2", environment: "Not Valid")
        guard case .rejected(.invalidNode) = state.apply(.putNode(badEnvironment), at: 3) else {
            Issue.record("an invalid environment was accepted")
            return
        }
        let tooManyLabels = NodeRecord(id: "node-3", environment: "qa",
                                       labels: Dictionary(uniqueKeysWithValues: (0...NodeRecord.labelsMaximum).map { ("k\($0)", "v") }))
        guard case .rejected(.invalidNode) = state.apply(.putNode(tooManyLabels), at: 4) else {
            Issue.record("a node with too many labels was accepted")
            return
        }
        #expect(state.apply(.deleteNode(id: "node-1"), at: 5) == .nodeDeleted(id: "node-1"))
        #expect(state.apply(.deleteNode(id: "node-1"), at: 6) == .rejected(.unknownNode("node-1")))
    }

    @Test func advertisedAddressesFollowTheirMember() {
        var state = FleetState()
        let addresses = AdvertisedAddresses(name: "c4", apiAddress: "10.0.0.4:8443", agentAddress: "10.0.0.4:7001")
        state.apply(.putMember(ClusterMemberRecord(name: "c4", peerAddress: "10.0.0.4:7000")), at: 1)
        #expect(state.apply(.publishAddresses(addresses), at: 2) == .addressesPublished(addresses))
        state.apply(.deleteMember(name: "c4"), at: 3)
        #expect(state.advertised.isEmpty && state.members.isEmpty)
    }

    @Test func ticketKeysRotateNewestFirstKeepTheNewestThreeAndIgnoreARetriedKey() {
        func key(_ byte: UInt8) -> TicketKeyRecord {
            TicketKeyRecord(name: Array(repeating: byte, count: 16), secret: Array(repeating: byte, count: 64),
                            createdAtMilliseconds: UInt64(byte))
        }
        var state = FleetState()
        for byte in UInt8(1)...4 { state.apply(.addTicketKey(key(byte)), at: UInt64(byte)) }
        #expect(state.ticketKeys == [key(4), key(3), key(2)])
        #expect(state.apply(.addTicketKey(key(3)), at: 5) == .ticketKeyAdded(nameHex: key(3).nameHex))
        #expect(state.ticketKeys == [key(4), key(3), key(2)], "a key already held changes nothing")
        let short = TicketKeyRecord(name: [1], secret: Array(repeating: 1, count: 64), createdAtMilliseconds: 9)
        #expect(state.apply(.addTicketKey(short), at: 6) == .rejected(.malformedTicketKey))
    }

    @Test func revokingAnyNameIsAllowedAndARepeatedRevocationKeepsTheLaterTime() {
        var state = FleetState()
        let early = NodeRevocation(node: "lost-host", revokedAtMilliseconds: 5_000)
        let late = NodeRevocation(node: "lost-host", revokedAtMilliseconds: 9_000)
        #expect(state.apply(.revokeNode(early), at: 1) == .nodeRevoked(early), "a name no node reported may be revoked")
        #expect(state.apply(.revokeNode(late), at: 2) == .nodeRevoked(late))
        #expect(state.apply(.revokeNode(early), at: 3) == .nodeRevoked(late), "an older time never narrows a revocation")
        #expect(state.revocations == ["lost-host": late])
    }

    @Test func aRevocationIsStampedNoEarlierThanTheNewestConnectedCertificate() {
        let now: UInt64 = 1_700_000_000_000
        #expect(NodeRevocation.stamped(node: "n", nowMilliseconds: now, newestNotBeforeSeconds: nil).revokedAtMilliseconds == now)
        #expect(NodeRevocation.stamped(node: "n", nowMilliseconds: now, newestNotBeforeSeconds: 1_600_000_000)
            .revokedAtMilliseconds == now, "an older certificate leaves the leader's clock")
        let ahead = NodeRevocation.stamped(node: "n", nowMilliseconds: now, newestNotBeforeSeconds: 1_700_000_090)
        #expect(ahead.revokedAtMilliseconds == 1_700_000_090_000, "a leader behind the issuing clock still covers the live certificate")
        #expect(ahead.denies(notBeforeSeconds: 1_700_000_090))
        #expect(!ahead.denies(notBeforeSeconds: 1_700_000_091))
        #expect(NodeRevocation.stamped(node: "n", nowMilliseconds: now, newestNotBeforeSeconds: .max).revokedAtMilliseconds == .max)
        #expect(NodeRevocation.stamped(node: "n", nowMilliseconds: now, newestNotBeforeSeconds: -5).revokedAtMilliseconds == now)
    }

    @Test func aRevocationNeedsACertificateNodeName() {
        var state = FleetState()
        for name in ["", String(repeating: "n", count: 64), "-leading-dash", "with space", "bell\u{07}", "\u{1b}]52;c;x", "ünïcode"] {
            let outcome = state.apply(.revokeNode(NodeRevocation(node: name, revokedAtMilliseconds: 1)), at: state.appliedIndex + 1)
            #expect(outcome == .rejected(.invalidNode(NodeRevocation.invalidNodeReason)))
        }
        let longest = String(repeating: "n", count: 63)
        #expect(state.apply(.revokeNode(NodeRevocation(node: longest, revokedAtMilliseconds: 1)), at: state.appliedIndex + 1)
            == .nodeRevoked(NodeRevocation(node: longest, revokedAtMilliseconds: 1)))
        #expect(state.revocations.count == 1)
    }

    @Test func theDenyListIsBoundedAndAFullOneStillMovesAHeldNamesTime() {
        var state = FleetState()
        for index in 0..<FleetState.revocationsMaximum {
            state.apply(.revokeNode(NodeRevocation(node: "n\(index)", revokedAtMilliseconds: 1)), at: UInt64(index + 1))
        }
        let next = UInt64(FleetState.revocationsMaximum + 1)
        #expect(state.apply(.revokeNode(NodeRevocation(node: "one-more", revokedAtMilliseconds: 2)), at: next)
            == .rejected(.tooManyRevocations(maximum: FleetState.revocationsMaximum)))
        let moved = NodeRevocation(node: "n7", revokedAtMilliseconds: 3)
        #expect(state.apply(.revokeNode(moved), at: next + 1) == .nodeRevoked(moved))
        #expect(state.apply(.unrevokeNode(name: "n0"), at: next + 2) == .nodeUnrevoked(name: "n0"))
        #expect(state.apply(.revokeNode(NodeRevocation(node: "one-more", revokedAtMilliseconds: 2)), at: next + 3)
            == .nodeRevoked(NodeRevocation(node: "one-more", revokedAtMilliseconds: 2)), "lifting one makes room")
        #expect(state.revocations.count == FleetState.revocationsMaximum)
    }

    @Test func liftingARevocationThatIsNotHeldIsRefused() {
        var state = FleetState()
        #expect(state.apply(.unrevokeNode(name: "ghost"), at: 1) == .rejected(.notRevoked("ghost")))
    }

    @Test func removingANodeKeepsItsRevocation() {
        var state = FleetState()
        state.apply(.putNode(NodeRecord(id: "n1", environment: "qa")), at: 1)
        state.apply(.revokeNode(NodeRevocation(node: "n1", revokedAtMilliseconds: 10_000)), at: 2)
        #expect(state.apply(.deleteNode(id: "n1"), at: 3) == .nodeDeleted(id: "n1"))
        #expect(state.apply(.deleteNode(id: "n1"), at: 4) == .rejected(.unknownNode("n1")))
        #expect(state.nodes.isEmpty && state.revocations["n1"] != nil)
    }

    /// notBefore in seconds against the revocation in milliseconds: a certificate valid from the
    /// revocation's second or earlier is refused, one from the next second on is accepted.
    @Test(arguments: [
        (Int64(9), true), (Int64(10), true), (Int64(11), false), (Int64(-1), true), (Int64.max, false), (nil, true),
    ] as [(Int64?, Bool)])
    func aRevocationDeniesCertificatesValidFromItsTimeOrEarlier(notBeforeSeconds: Int64?, denied: Bool) {
        let revocation = NodeRevocation(node: "n1", revokedAtMilliseconds: 10_999)
        #expect(revocation.denies(notBeforeSeconds: notBeforeSeconds) == denied)
    }
}
