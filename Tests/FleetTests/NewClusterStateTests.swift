import Fleet
import Testing

/// `FleetState.forNewCluster`: what a restored cluster keeps of a saved state.
@Suite struct NewClusterStateTests {
    static func saved() -> FleetState {
        var state = FleetState()
        state.apply(.putEnvironment(EnvironmentRecord(name: "edge", defaultStrategy: .rolling, requiresApproval: false)), at: 1)
        state.apply(.putMember(ClusterMemberRecord(name: "c4", peerAddress: "10.0.0.4:7000")), at: 2)
        state.apply(.publishAddresses(AdvertisedAddresses(name: "c1", apiAddress: "10.0.0.1:8443", agentAddress: "10.0.0.1:7001")),
                    at: 3)
        let key = TicketKeyRecord(name: [UInt8](repeating: 1, count: 16), secret: [UInt8](repeating: 7, count: 64),
                                  createdAtMilliseconds: 1)
        state.apply(.addTicketKey(key), at: 4)
        return state
    }

    @Test func theOldCoordinatorsAreForgottenAndEverythingElseKept() {
        let saved = Self.saved()
        #expect(!saved.members.isEmpty && !saved.advertised.isEmpty, "the fixture has both")
        let restored = saved.forNewCluster()
        #expect(restored.members.isEmpty)
        #expect(restored.advertised.isEmpty)
        #expect(restored.environments == saved.environments)
        #expect(restored.ticketKeys == saved.ticketKeys && restored.ticketKeys.count == 1)
        #expect(restored.appliedIndex == 4)
    }

    @Test func recordCountsNameEveryKindStatusPrints() {
        let counts = Dictionary(uniqueKeysWithValues: Self.saved().recordCounts.map { ($0.kind, $0.count) })
        #expect(counts["environments"] == 5, "the four built-in ones and edge")
        #expect(counts["members"] == 1)
        #expect(counts["users"] == 0 && counts["nodes"] == 0 && counts["modules"] == 0 && counts["deployments"] == 0)
    }
}
