import Cluster
import Fleet
import Primitives
import Testing

@Suite struct ClusterTopologyTests {
    @Test func parsesMembersAndSpellsThemBack() throws {
        let topology = try ClusterTopology.parse("c1=127.0.0.1:7001,c2=[::1]:7002,c3=localhost:7003")
        #expect(topology.members.map(\.name) == ["c1", "c2", "c3"])
        #expect(topology.members.map(\.peerAddress.numeric) == [try SocketAddress(host: "127.0.0.1", port: 7001),
                                                                try SocketAddress(host: "::1", port: 7002), nil])
        #expect(topology.flagText == "c1=127.0.0.1:7001,c2=[::1]:7002,c3=localhost:7003")
        #expect(try ClusterTopology.parse(topology.flagText) == topology)
        #expect(topology.member(id: ClusterTopology.nodeID(forName: "c2"))?.name == "c2")
        #expect(topology.name(of: 12345) == nil)
    }

    @Test(arguments: [
        ("c1", TopologyError.malformed("c1")),
        ("c1=exa_mple.com:80", .address("c1=exa_mple.com:80", "'exa_mple' is not a DNS label (letters, digits and inner hyphens)")),
        ("c1=127.0.0.1:7001,c2=127.0.0.1", .address("c2=127.0.0.1", "no :PORT")),
        ("c1=1.2.3:7001", .address("c1=1.2.3:7001", "1.2.3 is neither an IPv4 address nor a host name")),
        ("c1=127.0.0.1:7001,c1=127.0.0.1:7002", .duplicate("c1")),
        ("c1=127.0.0.1:7001,c2=127.0.0.1:7001", .duplicateAddress("c1", "c2", "127.0.0.1:7001")),
        ("c1=c1.example:7001,c2=127.0.0.1:7002,c3=C1.Example:7001", .duplicateAddress("c1", "c3", "c1.example:7001")),
        ("c1=[::1]:7001,c2=127.0.0.1:7002,c3=[::1]:7001", .duplicateAddress("c1", "c3", "[::1]:7001")),
        ("", .size(0)),
        ((1...8).map { "c\($0)=127.0.0.1:700\($0)" }.joined(separator: ","), .size(8)),
    ])
    func refusesMalformedTopologies(text: String, error: TopologyError) {
        #expect(throws: error) { try ClusterTopology.parse(text) }
    }

    @Test func errorsSayWhatToFix() {
        #expect("\(TopologyError.malformed("c1"))" == "--initial-cluster entry 'c1' is not NAME=HOST:PORT")
        #expect("\(TopologyError.address("c1=x_y:1", "why"))" == "--initial-cluster entry 'c1=x_y:1' is not NAME=HOST:PORT: why")
        #expect("\(TopologyError.size(8))" == "--initial-cluster has 8 members; 1 to 7 are allowed")
        #expect("\(TopologyError.duplicate("c1"))" == "--initial-cluster names c1 twice")
        #expect("\(TopologyError.duplicateAddress("c1", "c2", "127.0.0.1:7001"))"
                    == "--initial-cluster gives c1 and c2 the same peer address 127.0.0.1:7001")
    }

    /// Host names stay names, as written (lower-cased), so each member resolves them at each dial,
    /// and the text reads back to the same topology.
    @Test func hostNamesAreKeptAsWritten() throws {
        let text = "c1=hotswap-0.hotswap-peer.ns.svc:7000,c2=Hotswap-1.hotswap-peer.ns.svc:7000,c3=10.0.0.3:7000"
        let topology = try ClusterTopology.parse(text)
        #expect(topology.members.map(\.peerAddress.isName) == [true, true, false])
        #expect(topology.flagText == "c1=hotswap-0.hotswap-peer.ns.svc:7000,c2=hotswap-1.hotswap-peer.ns.svc:7000,c3=10.0.0.3:7000")
        #expect(try ClusterTopology.parse(topology.flagText) == topology)
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
        #expect(directory.member(named: "c2")?.peerAddress.numeric == (try SocketAddress(host: "127.0.0.1", port: 9002)))
        #expect(directory.member(id: ClusterTopology.nodeID(forName: "c3"))?.peerAddress.description == "[::1]:7003")
    }

    @Test func aRegisteredMemberMayBeNamedByAHostName() {
        let directory = MemberDirectory(founding: Self.founding, registered: [
            ClusterMemberRecord(name: "c3", peerAddress: "hotswap-2.hotswap-peer:7000"),
        ])
        #expect(directory.member(named: "c3")?.peerAddress.description == "hotswap-2.hotswap-peer:7000")
        #expect(directory.member(named: "c3")?.peerAddress.isName == true)
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
