import Cluster
import Fleet
import Primitives
import Testing

/// Cluster identities: how members derive one without talking, which peers they admit, and how
/// pings carry it.
@Suite struct ClusterIdentityTests {
    static let three = try! ClusterTopology.parse("c1=127.0.0.1:7001,c2=127.0.0.1:7002,c3=127.0.0.1:7003")

    @Test func everyMemberDerivesTheSameIdWhateverTheOrderOfTheFlag() throws {
        let reordered = try ClusterTopology.parse("c3=127.0.0.1:7003,c1=127.0.0.1:7001,c2=127.0.0.1:7002")
        #expect(ClusterIdentity.derive(topology: Self.three, token: "", snapshotDigest: "")
            == ClusterIdentity.derive(topology: reordered, token: "", snapshotDigest: ""))
    }

    @Test func membersTokenAndSnapshotEachChangeTheId() throws {
        let base = ClusterIdentity.derive(topology: Self.three, token: "", snapshotDigest: "")
        let moved = try ClusterTopology.parse("c1=127.0.0.1:7001,c2=127.0.0.1:7002,c3=127.0.0.1:7004")
        let others = [
            ClusterIdentity.derive(topology: moved, token: "", snapshotDigest: ""),
            ClusterIdentity.derive(topology: Self.three, token: "prod", snapshotDigest: ""),
            ClusterIdentity.derive(topology: Self.three, token: "", snapshotDigest: "ab12"),
            ClusterIdentity.derive(topology: Self.three, token: "", snapshotDigest: "ab13"),
        ]
        #expect(Set(others + [base]).count == 5)
        #expect(!others.contains(0) && base != 0)
    }

    @Test(arguments: [
        (ClusterIdentity.id(1), ClusterIdentity.id(1), ClusterIdentity.Verdict.admit),
        (.id(1), .id(2), .refuse),
        (.id(1), .none, .refuse),
        (.none, .id(1), .refuse),
        (.none, .none, .admit),
        (.id(1), .joining, .admit),
        (.none, .joining, .admit),
        (.joining, .joining, .admit),
        (.joining, .id(5), .adopt(.id(5))),
        (.joining, .none, .adopt(.none)),
    ])
    func verdicts(local: ClusterIdentity, remote: ClusterIdentity, verdict: ClusterIdentity.Verdict) {
        #expect(ClusterIdentity.verdict(local: local, remote: remote) == verdict)
    }

    @Test func theCurrentAdvertisementCarriesTheIdentity() throws {
        for identity in [ClusterIdentity.none, .joining, .id(0x0102_0304_0506_0708)] {
            let advertisement = PeerAdvertisement.current(identity: identity)
            #expect(try PeerAdvertisement.decode(advertisement.encoded) == advertisement)
        }
        #expect(PeerAdvertisement.current(identity: .id(0x0102_0304_0506_0708)).encoded
            == [2, FleetCodec.versionsRead.upperBound, 2, 1, 2, 3, 4, 5, 6, 7, 8])
    }

    @Test func aFormatOneAdvertisementShowsNoIdentityAndALaterFormatMayAppend() throws {
        #expect(try PeerAdvertisement.decode([1, 9])?.identity == ClusterIdentity.none)
        #expect(try PeerAdvertisement.decode([3, 9, 2, 0, 0, 0, 0, 0, 0, 0, 9, 0xEE])?.identity == .id(9))
        #expect(throws: BinaryDecodingError.trailingBytes(offset: 11, count: 1)) {
            try PeerAdvertisement.decode([2, 9, 2, 0, 0, 0, 0, 0, 0, 0, 9, 0xEE])
        }
    }

    @Test(arguments: [[2, 9, 2, 0, 0, 0, 0, 0, 0, 0, 0], [2, 9, 0, 0, 0, 0, 0, 0, 0, 0, 1], [2, 9, 3, 0, 0, 0, 0, 0, 0, 0, 1],
                      [2, 9, 1, 0, 0, 0, 0, 0, 0, 0, 1], [2, 9, 2, 0, 0]] as [[UInt8]])
    func malformedIdentitiesAreRefused(bytes: [UInt8]) {
        #expect(throws: BinaryDecodingError.self) { try PeerAdvertisement.decode(bytes) }
    }
}
