import Cluster
import Fleet
import Primitives
import Testing

@Suite struct ClusterTopologyTests {
    @Test func parsesMembersAndSpellsThemBack() throws {
        let topology = try ClusterTopology.parse("c1=127.0.0.1:7001,c2=[::1]:7002,c3=localhost:7003")
        #expect(topology.members.map(\.name) == ["c1", "c2", "c3"])
        #expect(topology.members.map(\.peerAddress) == [try SocketAddress(host: "127.0.0.1", port: 7001),
                                                        try SocketAddress(host: "::1", port: 7002),
                                                        try SocketAddress(host: "127.0.0.1", port: 7003)])
        #expect(topology.flagText == "c1=127.0.0.1:7001,c2=[::1]:7002,c3=127.0.0.1:7003")
        #expect(try ClusterTopology.parse(topology.flagText) == topology)
        #expect(topology.member(id: ClusterTopology.nodeID(forName: "c2"))?.name == "c2")
        #expect(topology.name(of: 12345) == nil)
    }

    @Test(arguments: [
        ("c1", TopologyError.malformed("c1")),
        ("c1=example.com:80", .malformed("c1=example.com:80")),
        ("c1=127.0.0.1:7001,c2=127.0.0.1", .malformed("c2=127.0.0.1")),
        ("c1=127.0.0.1:7001,c1=127.0.0.1:7002", .duplicate("c1")),
        ("c1=127.0.0.1:7001,c2=127.0.0.1:7001", .duplicateAddress("c1", "c2", "127.0.0.1:7001")),
        ("c1=127.0.0.1:7001,c2=127.0.0.1:7002,c3=localhost:7001", .duplicateAddress("c1", "c3", "127.0.0.1:7001")),
        ("c1=[::1]:7001,c2=127.0.0.1:7002,c3=[::1]:7001", .duplicateAddress("c1", "c3", "[::1]:7001")),
        ("", .size(0)),
        ((1...8).map { "c\($0)=127.0.0.1:700\($0)" }.joined(separator: ","), .size(8)),
    ])
    func refusesMalformedTopologies(text: String, error: TopologyError) {
        #expect(throws: error) { try ClusterTopology.parse(text) }
    }

    @Test func errorsSayWhatToFix() {
        #expect("\(TopologyError.malformed("c1"))" == "--initial-cluster entry 'c1' is not NAME=HOST:PORT")
        #expect("\(TopologyError.size(8))" == "--initial-cluster has 8 members; 1 to 7 are allowed")
        #expect("\(TopologyError.duplicate("c1"))" == "--initial-cluster names c1 twice")
        #expect("\(TopologyError.duplicateAddress("c1", "c2", "127.0.0.1:7001"))"
                    == "--initial-cluster gives c1 and c2 the same peer address 127.0.0.1:7001")
    }

    /// One host may run several members on different ports, and the same port on different hosts.
    @Test func membersMayShareAHostOrAPortButNotBoth() throws {
        let topology = try ClusterTopology.parse("c1=127.0.0.1:7001,c2=127.0.0.1:7002,c3=127.0.0.2:7001,c4=[::1]:7001")
        #expect(topology.members.map(\.name) == ["c1", "c2", "c3", "c4"])
    }

    /// FNV-1a 64's published vectors: "" hashes to the offset basis, "a" to 0xaf63dc4c8601ec8c.
    @Test func nodeIDsAreFNV1aOfTheName() {
        #expect(ClusterTopology.nodeID(forName: "") == 0xCBF2_9CE4_8422_2325)
        #expect(ClusterTopology.nodeID(forName: "a") == 0xAF63_DC4C_8601_EC8C)
    }
}

@Suite struct MemberDirectoryTests {
    static let founding = try! ClusterTopology.parse("c1=127.0.0.1:7001,c2=127.0.0.1:7002")

    @Test func registeredMembersJoinAndOverrideTheFoundingOnes() throws {
        let directory = MemberDirectory(founding: Self.founding, registered: [
            ClusterMemberRecord(name: "c2", peerAddress: "127.0.0.1:9002"),
            ClusterMemberRecord(name: "c3", peerAddress: "[::1]:7003"),
        ])
        #expect(directory.members.map(\.name) == ["c1", "c2", "c3"])
        #expect(directory.member(named: "c2")?.peerAddress == (try SocketAddress(host: "127.0.0.1", port: 9002)))
        #expect(directory.member(id: ClusterTopology.nodeID(forName: "c3"))?.peerAddress.description == "[::1]:7003")
    }

    @Test func aRecordWhoseAddressDoesNotParseIsLeftOut() {
        let directory = MemberDirectory(founding: Self.founding, registered: [ClusterMemberRecord(name: "c4", peerAddress: "nowhere")])
        #expect(directory.members.map(\.name) == ["c1", "c2"])
    }

    @Test func unknownIDsHaveADisplayName() {
        let directory = MemberDirectory(founding: Self.founding,
                                        advertised: ["c1": AdvertisedAddresses(name: "c1", apiAddress: "a:1", agentAddress: "b:2")])
        #expect(directory.displayName(of: ClusterTopology.nodeID(forName: "c1")) == "c1")
        #expect(directory.displayName(of: 42) == "node-42")
        #expect(directory.advertised["c1"]?.agentAddress == "b:2")
    }
}
