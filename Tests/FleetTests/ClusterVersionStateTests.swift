import Fleet
import Primitives
import Testing

/// The replicated cluster version (fleet encoding version 7): `setClusterVersion` only rises, its
/// entry and a snapshot holding it round trip, a snapshot is version 7 only while it holds one,
/// and snapshots of earlier versions decode with it unset.
struct ClusterVersionStateTests {
    @Test func aSetRaisesTheClusterVersionAndOneNoHigherIsANoOp() {
        var state = FleetState()
        #expect(state.clusterVersion == nil && state.effectiveClusterVersion == FleetState.clusterVersionUnset)
        #expect(state.apply(.setClusterVersion(7), at: 1) == .clusterVersionRaised(7))
        #expect(state.clusterVersion == 7)
        #expect(state.apply(.setClusterVersion(7), at: 2) == .clusterVersionKept(7))
        #expect(state.apply(.setClusterVersion(9), at: 3) == .clusterVersionRaised(9))
        #expect(state.apply(.setClusterVersion(8), at: 4) == .clusterVersionKept(9), "never lowers")
        #expect(state.clusterVersion == 9 && state.appliedIndex == 4)
    }

    @Test func aSetNoHigherThanTheUnsetVersionLeavesItUnset() throws {
        var state = FleetState()
        #expect(state.apply(.setClusterVersion(6), at: 1) == .clusterVersionKept(6))
        #expect(state.clusterVersion == nil)
    }

    @Test func theCommandIsVersion7PinnedAndRoundTrips() throws {
        let bytes = FleetCodec.encode(.setClusterVersion(7))
        #expect(bytes == [0x07, 0x17, 0x07])
        #expect(try FleetCodec.decodeCommand(bytes) == .setClusterVersion(7))
        // Decoding is permissive: a coordinator halts on applying a version above what it reads (`ReplicationHalt`).
        #expect(try FleetCodec.decodeCommand([0x07, 0x17, 0xC8]) == .setClusterVersion(200), "a later build's version")
        #expect(FleetCodec.versionsRead.contains(7))
        #expect(throws: BinaryDecodingError.invalidValue(offset: 1, detail: "fleet command tag 23 is not in version 6")) {
            try FleetCodec.decodeCommand([0x06, 0x17, 0x07])
        }
    }

    @Test(arguments: [UInt8(0), 1, 6])
    func aClusterVersionBelow7IsRefused(version: UInt8) {
        #expect(throws: BinaryDecodingError.invalidValue(offset: 2, detail: "cluster version \(version) is below 7")) {
            try FleetCodec.decodeCommand([0x07, 0x17, version])
        }
    }

    @Test func aClusterVersionIsNeverAudited() {
        let context = AuditContext(user: "a", role: .admin, source: nil, atMilliseconds: 1)
        let audited = FleetCodec.encode(.audited(context, .setClusterVersion(7)))
        #expect(throws: BinaryDecodingError.self) { try FleetCodec.decodeCommand(audited) }
        #expect(throws: BinaryDecodingError.self) { try FleetCodec.decodeCommandToAudit(FleetCodec.encode(.setClusterVersion(7))) }
    }

    /// The lowest version that holds the state: 7 once a cluster version is set, and the
    /// versions before it otherwise, whose snapshots decode with it unset.
    @Test func aSnapshotIsVersion7OnlyWithAClusterVersionAndRoundTrips() throws {
        var state = FleetState()
        state.apply(.putNode(NodeRecord(id: "n1", environment: "qa")), at: 1)
        let before = FleetCodec.encode(state)
        #expect(before.first == 3)
        #expect(try FleetCodec.decodeState(before).clusterVersion == nil)
        state.apply(.setClusterVersion(8), at: 2)
        let after = FleetCodec.encode(state)
        #expect(after.first == 7)
        #expect(after.last == 8)
        let decoded = try FleetCodec.decodeState(after)
        #expect(decoded == state && decoded.clusterVersion == 8)
    }

    /// Version 7's cluster version byte is 0 for "never set" (a later version may hold a state
    /// without one); 1 to 6 are refused, and a version-6 snapshot has no such byte.
    @Test func aSnapshotsClusterVersionByteIsZeroWhenUnsetAndNeverBelow7() throws {
        var state = FleetState()
        state.apply(.setClusterVersion(7), at: 1)
        let bytes = FleetCodec.encode(state)
        #expect(try FleetCodec.decodeState(Array(bytes.dropLast()) + [0]).clusterVersion == nil)
        #expect(throws: BinaryDecodingError.invalidValue(offset: bytes.count - 1, detail: "cluster version 6 is below 7")) {
            try FleetCodec.decodeState(Array(bytes.dropLast()) + [6])
        }
        #expect(throws: BinaryDecodingError.self) { try FleetCodec.decodeState([6] + bytes.dropFirst()) }
    }
}
