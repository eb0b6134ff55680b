import Fleet
import Foundation
import Storage
import Testing
import TestSupport

/// A committed entry this build cannot decode (as an older build meets a newer one's entry
/// during a rolling upgrade) stops the coordinator with an error naming the index and the
/// encoding version: skipping it would let the replicas' states diverge.
@Suite(.serialized)
struct UndecodableEntryTests {
    @Test func aCommittedEntryOfANewerEncodingStopsTheCoordinatorNamingItsIndexAndVersion() throws {
        let cluster = try ClusterFixture()
        _ = try #require(cluster.agreedLeader())
        #expect(cluster.putAcknowledged("before-upgrade"))
        for name in cluster.names { #expect(cluster.processes[name]?.stop() == 0) }

        let index = try appendCommittedEntry(Self.newerEncoding, to: cluster.dataDirectory(of: "c1").path)
        try cluster.start("c1")
        let c1 = try #require(cluster.processes["c1"])
        #expect(eventually { !c1.process.isRunning }, "c1 went on past an entry it cannot decode")
        #expect(c1.process.terminationStatus == 1)
        #expect(eventually { c1.log.text.contains("committed entry \(index) ") }, "\(c1.log.text)")
        #expect(c1.log.text.contains("fleet encoding version \(Self.newerEncoding[0])"), "\(c1.log.text)")
        #expect(c1.log.text.contains("coordinator halted"), "\(c1.log.text)")
    }

    /// A fleet command as a future build might write it: the first encoding version this
    /// build does not read, then a tag.
    static let newerEncoding: [UInt8] = [FleetCodec.versionsRead.upperBound + 1, 1, 0, 0]

    /// Appends `data` as the next entry of c1's log in its last term and marks it committed,
    /// as if the cluster had committed it before c1 stopped.
    private func appendCommittedEntry(_ data: [UInt8], to dataDirectory: String) throws -> UInt64 {
        let (wal, recovered) = try WriteAheadLog.open(directory: "\(dataDirectory)/raft")
        defer { wal.close() }
        let hardState = try #require(recovered.hardState)
        let last = try #require(recovered.entries.last)
        let entry = LogEntryRecord(index: last.index + 1, term: hardState.term, kind: 0, data: data)
        try wal.append(entries: [entry], hardState: HardStateRecord(term: hardState.term, votedFor: hardState.votedFor,
                                                                   commitIndex: entry.index))
        return entry.index
    }
}
