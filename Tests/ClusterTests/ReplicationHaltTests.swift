import Cluster
import Consensus
import Fleet
import Primitives
import Testing

/// What stops a coordinator rather than let it apply: besides what does not decode, a cluster
/// version above what this build reads, in an entry or in a snapshot. The codec reads any
/// cluster version (a later build's too); the halt names it, the range read, and the remedy.
struct ReplicationHaltTests {
    static let newest = FleetCodec.versionsRead.upperBound
    static let readRange = "\(FleetCodec.versionsRead.lowerBound)...\(newest)"

    @Test func anEntryRaisingTheClusterVersionToWhatThisBuildReadsApplies() throws {
        let entry = Entry(term: 3, index: 12, data: FleetCodec.encode(.setClusterVersion(Self.newest)))
        #expect(try ReplicationHalt.decodeCommand(of: entry) == .setClusterVersion(Self.newest))
    }

    @Test func anEntryRaisingTheClusterVersionAboveWhatThisBuildReadsHalts() {
        let above = Self.newest + 1
        let entry = Entry(term: 3, index: 12, data: FleetCodec.encode(.setClusterVersion(above)))
        let halt = ReplicationHalt.clusterVersionAboveReadsInEntry(index: 12, term: 3, version: above)
        #expect(throws: halt) { try ReplicationHalt.decodeCommand(of: entry) }
        #expect(halt.description == "committed entry 12 (term 3) cannot be applied by this build: cluster version \(above) "
            + "is above what this build reads (\(Self.readRange)); upgrade this coordinator")
    }

    @Test func aSnapshotHoldingAClusterVersionAboveWhatThisBuildReadsHalts() throws {
        var state = FleetState()
        state.apply(.setClusterVersion(Self.newest), at: 1)
        #expect(try ReplicationHalt.decodeState(FleetCodec.encode(state), index: 1) == state)
        state.apply(.setClusterVersion(200), at: 2)
        let halt = ReplicationHalt.clusterVersionAboveReadsInSnapshot(index: 2, version: 200)
        #expect(throws: halt) { try ReplicationHalt.decodeState(FleetCodec.encode(state), index: 2) }
        #expect(halt.description == "the snapshot at index 2 cannot be restored by this build: cluster version 200 "
            + "is above what this build reads (\(Self.readRange)); upgrade this coordinator")
    }

    @Test func aSnapshotThatDoesNotDecodeHaltsAsBefore() throws {
        let error = try #require(throws: BinaryDecodingError.self) { try FleetCodec.decodeState([0xFF]) }
        #expect(throws: ReplicationHalt.undecodableSnapshot(index: 5, error: error)) {
            try ReplicationHalt.decodeState([0xFF], index: 5)
        }
    }
}
