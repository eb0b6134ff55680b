import Cluster
import Testing

@Suite struct FoundingRecordTests {
    static let three = try! ClusterTopology.parse("c1=127.0.0.1:7001,c2=127.0.0.1:7002,c3=127.0.0.1:7003")
    static let moved = try! ClusterTopology.parse("c1=127.0.0.1:8001,c2=127.0.0.1:8002,c3=127.0.0.1:8003")
    static let c1 = three.members[0]
    static let c1Moved = moved.members[0]

    @Test func withoutARecordTheFlagsFoundTheCluster() throws {
        let decision = try FoundingRecord.decide(recorded: nil, flagged: Self.three, joining: false, selfMember: Self.c1)
        #expect(decision.topology == Self.three)
        #expect(!decision.joining)
        let identity = ClusterIdentity.id(ClusterIdentity.derive(topology: Self.three, token: "", snapshotDigest: ""))
        #expect(decision.write == FoundingRecord(member: "c1", topology: Self.three, joining: false, identity: identity))
        #expect(decision.identity == identity)
    }

    @Test func withoutARecordOrAFlagTheNodeFoundsAClusterOfOne() throws {
        let decision = try FoundingRecord.decide(recorded: nil, flagged: nil, joining: false, selfMember: Self.c1)
        #expect(decision.topology == ClusterTopology(members: [Self.c1]))
        #expect(decision.write?.topology == decision.topology)
    }

    @Test func aRecordWithoutAFlagIsUsedWithThisStartsOwnAddress() throws {
        let recorded = FoundingRecord(member: "c1", topology: Self.three, joining: true, identity: .joining)
        let decision = try FoundingRecord.decide(recorded: recorded, flagged: nil, joining: false, selfMember: Self.c1Moved)
        #expect(decision.topology.members.map(\.peerAddress.description) == ["127.0.0.1:8001", "127.0.0.1:7002", "127.0.0.1:7003"])
        #expect(decision.joining, "the recorded mode wins")
        #expect(decision.write == nil)
    }

    @Test func aFlagNamingTheSameMembersRecordsMovedAddressesOnly() throws {
        let recorded = FoundingRecord(member: "c1", topology: Self.three, joining: false, identity: .id(7))
        let same = try FoundingRecord.decide(recorded: recorded, flagged: Self.three, joining: false, selfMember: Self.c1)
        #expect(same.write == nil)
        let moved = try FoundingRecord.decide(recorded: recorded, flagged: Self.moved, joining: false, selfMember: Self.c1Moved)
        #expect(moved.write == FoundingRecord(member: "c1", topology: Self.moved, joining: false, identity: .id(7)))
    }

    @Test func anotherMembersDirectoryIsRefused() {
        let recorded = FoundingRecord(member: "c2", topology: Self.three, joining: false, identity: .none)
        #expect(throws: FoundingRecord.Contradiction.self) {
            try FoundingRecord.decide(recorded: recorded, flagged: nil, joining: false, selfMember: Self.c1)
        }
        do {
            _ = try FoundingRecord.decide(recorded: recorded, flagged: nil, joining: false, selfMember: Self.c1)
        } catch {
            #expect(error.description.contains("this data directory is c2's"))
            #expect(error.description.contains("give c1 its own data directory"))
        }
    }

    @Test(arguments: [(try! ClusterTopology.parse("c1=127.0.0.1:7001,c2=127.0.0.1:7002"), false), (three, true)])
    func otherMembersOrAnotherModeAreRefused(flagged: ClusterTopology, joining: Bool) {
        let recorded = FoundingRecord(member: "c1", topology: Self.three, joining: false, identity: .id(7))
        #expect(throws: FoundingRecord.Contradiction.self) {
            try FoundingRecord.decide(recorded: recorded, flagged: flagged, joining: joining, selfMember: Self.c1)
        }
    }

    @Test func theRecordReadsBackFromItsText() throws {
        let record = FoundingRecord(member: "c2", topology: Self.three, joining: true, identity: .none)
        #expect(String(decoding: record.encoded, as: UTF8.self) == "c2\nexisting\n\(Self.three.flagText)\n",
                "a record without an identity is the three lines records had before identities")
        #expect(try FoundingRecord.decode(record.encoded) == record)
        let withID = record.with(identity: .id(0x00AB_CDEF_0123_4567))
        #expect(String(decoding: withID.encoded, as: UTF8.self).hasSuffix("\ncluster-id 00abcdef01234567\n"))
        #expect(try FoundingRecord.decode(withID.encoded) == withID)
        let joining = record.with(identity: .joining)
        #expect(String(decoding: joining.encoded, as: UTF8.self).hasSuffix("\ncluster-id joining\n"))
        #expect(try FoundingRecord.decode(joining.encoded) == joining)
    }

    @Test func aJoiningFoundingWaitsToHearItsIdentityAndAnOldLogKeepsNone() throws {
        let joining = try FoundingRecord.decide(recorded: nil, flagged: Self.three, joining: true, selfMember: Self.c1)
        #expect(joining.identity == .joining && joining.write?.identity == .joining)
        let old = try FoundingRecord.decide(recorded: nil, flagged: Self.three, joining: false, selfMember: Self.c1, holdsLog: true)
        #expect(old.identity == ClusterIdentity.none, "a directory from before records keeps its peers' none")
    }

    @Test func laterStartsKeepTheRecordedIdentityWhateverTheToken() throws {
        let recorded = FoundingRecord(member: "c1", topology: Self.three, joining: false, identity: .id(42))
        let again = try FoundingRecord.decide(recorded: recorded, flagged: Self.moved, joining: false, selfMember: Self.c1Moved,
                                              token: "another")
        #expect(again.identity == .id(42) && again.write?.identity == .id(42))
        #expect(try FoundingRecord.decide(recorded: recorded, flagged: nil, joining: false, selfMember: Self.c1).identity == .id(42))
    }

    @Test(arguments: [
        ("c1\nnew\nc1=127.0.0.1:7001", "it is not three or four lines"),
        ("c1\nnew\nc1=127.0.0.1:7001\ncluster-id 00\n", "its cluster-id '00' is not 16 hex digits other than zero"),
        ("c1\nnew\nc1=127.0.0.1:7001\ncluster-id 0000000000000000\n",
         "its cluster-id '0000000000000000' is not 16 hex digits other than zero"),
        ("c1\nnew\nc1=127.0.0.1:7001\nid 1\n", "its fourth line is not cluster-id"),
        ("c1\nold\nc1=127.0.0.1:7001\n", "its mode 'old' is neither new nor existing"),
        ("c1\nnew\nc1=nowhere\n", "its members: --initial-cluster entry 'c1=nowhere' is not NAME=HOST:PORT: no :PORT"),
        ("c9\nnew\nc1=127.0.0.1:7001\n", "its member c9 is not one of its members"),
        ("c1\nnew\nc1=127.0.0.1:7001,c2=127.0.0.1:7001\n",
         "its members: --initial-cluster gives c1 and c2 the same peer address 127.0.0.1:7001"),
    ])
    func malformedTextSaysWhatIsWrong(text: String, reason: String) {
        #expect(throws: FoundingRecord.Malformed(description: reason)) { try FoundingRecord.decode(Array(text.utf8)) }
    }
}
