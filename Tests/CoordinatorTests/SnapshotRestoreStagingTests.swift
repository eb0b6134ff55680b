import Access
import Cluster
@testable import Coordinator
import FileSystem
import Fleet
import Foundation
import Storage
import Testing
import TestSupport

/// `SnapshotRestore` builds DIR in a sibling and renames it into place: a failure after the log
/// is written leaves neither DIR's contents nor the sibling, so a re-run succeeds; the cheap
/// checks refuse before the file is read; the saved limit leaves room for Storage's overhead.
struct SnapshotRestoreStagingTests {
    struct Injected: Error {}

    static func savedFile(in work: TemporaryDirectory) throws -> String {
        var state = FleetState()
        state.apply(.putNode(NodeRecord(id: "n1", environment: "production")), at: 7)
        let unsealed = try SavedSnapshot(index: 7, term: 3, data: FleetCodec.encode(state)).unsealed()
        let path = work.file("fleet.snap")
        try Data(SavedSnapshot.sealed(unsealed, digest: SHA256Digest.of(unsealed[...]))).write(to: URL(fileURLWithPath: path))
        return path
    }

    static func entries(_ path: String) -> [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
    }

    @Test func aFailureBeforeTheRenameLeavesNothingAndARerunSucceeds() throws {
        let work = TemporaryDirectory()
        let file = try Self.savedFile(in: work)
        let target = work.file("member")
        var reachedRename = false
        #expect(throws: Injected.self) {
            _ = try SnapshotRestore.run(file: file, dataDirectory: target, name: "c1", initialCluster: "c1=127.0.0.1:7001") {
                reachedRename = true
                let staging = SnapshotRestore.stagingPath(for: target)
                #expect(Self.entries("\(staging)/\(StartupRecovery.raftSubdirectory)").contains("wal"), "the log is written first")
                #expect(Self.entries(staging).contains(FoundingRecord.fileName))
                throw Injected()
            }
        }
        #expect(reachedRename)
        #expect(Self.entries(work.path).sorted() == ["fleet.snap"], "neither DIR nor its sibling is left: \(Self.entries(work.path))")
        let report = try SnapshotRestore.run(file: file, dataDirectory: target + "/", name: "c1", initialCluster: "c1=127.0.0.1:7001")
        #expect(report.index == 7 && report.term == 3)
        #expect(Self.entries(work.path).sorted() == ["fleet.snap", "member"])
        #expect(try FoundingRecord.read(dataDirectory: target)?.identity == report.identity)
        #expect(Self.entries("\(target)/\(StartupRecovery.raftSubdirectory)").contains("wal"))
    }

    @Test func theCheapChecksRefuseBeforeTheFileIsRead() throws {
        let work = TemporaryDirectory()
        let missing = work.file("absent.snap")
        let full = work.file("full")
        try FileManager.default.createDirectory(atPath: full, withIntermediateDirectories: false)
        try Data([1]).write(to: URL(fileURLWithPath: "\(full)/x"))
        let cases: [(String, String, String, String)] = [
            ("a name not in --initial-cluster", work.file("a"), "c9", "is not one of --initial-cluster"),
            ("a non-empty DIR", full, "c1", "is not empty"),
        ]
        for (label, directory, name, reason) in cases {
            do {
                _ = try SnapshotRestore.run(file: missing, dataDirectory: directory, name: name, initialCluster: "c1=127.0.0.1:7001")
                Issue.record("\(label) must be refused")
            } catch {
                #expect("\(error)".contains(reason), "\(label): \(error)")
            }
        }
        #expect(throws: (any Error).self, "an --initial-cluster that does not parse") {
            _ = try SnapshotRestore.run(file: missing, dataDirectory: work.file("b"), name: "c1", initialCluster: "c1")
        }
        #expect(!FileManager.default.fileExists(atPath: work.file("a")) && !FileManager.default.fileExists(atPath: work.file("b")))
    }

    @Test func theSavedLimitLeavesRoomForTheLogsSnapshotOverhead() {
        #expect(SavedSnapshot.storageSnapshotBodyBytesMaximum == SnapshotRecord.bodyBytesMaximum)
        #expect(SavedSnapshot.storageSnapshotFixedBytes == SnapshotRecord.bodyFixedBytes)
        let largest = SnapshotRecord(index: 1, term: 1, configuration: [UInt8](repeating: 0, count: MembershipCodec.bytesMaximum),
                                     data: [])
        #expect(largest.bodyBytes + SavedSnapshot.dataBytesMaximum == SnapshotRecord.bodyBytesMaximum)
    }
}
