@testable import Storage
import Glibc
import Testing
import TestSupport

/// Real full and read-only file systems (a tmpfs the test mounts), not
/// simulated errors: the log must report them clearly, never crash, and
/// keep the last good prefix.
struct DiskFaultTests {
    static let entryDataBytes = 1000
    static let appendAttemptMaximum = 500

    @Test func fullDiskDuringAppendIsReportedAndTheLogKeepsEveryAcknowledgedEntry() throws {
        let mount = try Self.mountOrCancel(sizeBytes: 64 << 10)
        defer { mount.unmount() }
        let data = mount.path + "/data"
        let (log, _) = try WriteAheadLog.open(directory: data, segmentSizeBytes: 1 << 20)
        var acknowledged: [LogEntryRecord] = []
        var failure: StorageError?
        for index in UInt64(1)...UInt64(Self.appendAttemptMaximum) {
            let entry = Fixtures.entry(index, term: 1, dataBytes: Self.entryDataBytes)
            do {
                try log.append(entries: [entry], hardState: nil)
                acknowledged.append(entry)
            } catch let error {
                failure = error
                break
            }
        }
        let segment = try TemporaryDirectory.segmentPaths(in: data).last!
        #expect(failure == .diskFull(path: segment))
        #expect(acknowledged.count >= 10, "the tmpfs should hold some entries before filling")
        let acknowledgedBytes = Fixtures.segmentHeaderFrameBytes
            + acknowledged.count * (Fixtures.batchHeaderFrameBytes + Fixtures.entryFrameBytes(dataBytes: Self.entryDataBytes))
        #expect(try Files.size(segment) == acknowledgedBytes, "the failed append must be cut back off the segment")

        let bigSnapshot = SnapshotRecord(index: 1, term: 1, configuration: [], data: [UInt8](repeating: 7, count: 128 << 10))
        #expect(throws: StorageError.self) { try log.saveSnapshot(bigSnapshot) }
        #expect(try TemporaryDirectory.names(in: data + "/snap").isEmpty, "a failed snapshot must leave no temp file")

        try mount.resize(toBytes: 4 << 20)
        let next = Fixtures.entry(UInt64(acknowledged.count + 1), term: 1, dataBytes: Self.entryDataBytes)
        try log.append(entries: [next], hardState: nil)
        log.close()

        let (reopened, recovered) = try WriteAheadLog.open(directory: data, segmentSizeBytes: 1 << 20)
        reopened.close()
        #expect(recovered.entries == acknowledged + [next])
        #expect(recovered.truncatedTailBytes == 0)
    }

    @Test func readOnlyFileSystemIsAClearErrorAndTheLogSurvivesIt() throws {
        let mount = try Self.mountOrCancel(sizeBytes: 1 << 20)
        defer { mount.unmount() }
        let data = mount.path + "/data"
        let (log, _) = try WriteAheadLog.open(directory: data)
        try log.append(entries: Fixtures.entries(1...5, term: 1), hardState: HardStateRecord(term: 1, votedFor: 1, commitIndex: 3))
        log.close()

        try mount.makeReadOnly()
        let refusal = Self.openError(data)
        guard case let .readOnly(path) = refusal else {
            Issue.record("expected readOnly, got \(String(describing: refusal))")
            return
        }
        #expect(path.hasPrefix(data))
        #expect(throws: StorageError.readOnly(path: data + "/LOCK")) { try DataDirectoryLock.acquire(directory: data) }

        try mount.makeWritable()
        let (reopened, recovered) = try WriteAheadLog.open(directory: data)
        reopened.close()
        #expect(recovered.entries == Fixtures.entries(1...5, term: 1))
        #expect(recovered.hardState == HardStateRecord(term: 1, votedFor: 1, commitIndex: 3))
    }

    @Test func writeErrorsMapToFullReadOnlyOrTheirErrno() {
        #expect(StorageError.writing("write", path: "p", errno: ENOSPC) == .diskFull(path: "p"))
        #expect(StorageError.writing("write", path: "p", errno: EDQUOT) == .diskFull(path: "p"))
        #expect(StorageError.writing("write", path: "p", errno: EROFS) == .readOnly(path: "p"))
        #expect(StorageError.writing("create", path: "p", errno: EACCES) == .readOnly(path: "p"))
        #expect(StorageError.writing("fdatasync", path: "p", errno: EIO) == .io(operation: "fdatasync", path: "p", errno: EIO))
    }

    static func mountOrCancel(sizeBytes: Int) throws -> TmpfsMount {
        let (mount, reason) = try TmpfsMount.make(sizeBytes: sizeBytes)
        guard let mount else {
            print("skipping: \(reason)")
            try Test.cancel(Comment(rawValue: reason))
        }
        return mount
    }

    static func openError(_ directory: String) -> StorageError? {
        do {
            let (log, _) = try WriteAheadLog.open(directory: directory)
            log.close()
            return nil
        } catch let error {
            return error
        }
    }
}
