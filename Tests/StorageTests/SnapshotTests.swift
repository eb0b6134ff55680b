@testable import Storage
import Testing
import TestSupport

struct SnapshotTests {
    static func snapshot(_ index: UInt64, term: UInt64) -> SnapshotRecord {
        SnapshotRecord(index: index, term: term, configuration: [1, 2, 3], data: Array("state at \(index)".utf8))
    }

    /// 1...count at term 1, one entry per append, in small segments.
    static func writeEntries(_ log: WriteAheadLog, _ indices: ClosedRange<UInt64>, term: UInt64 = 1) throws {
        for index in indices { try log.append(entries: [Fixtures.entry(index, term: term)], hardState: nil) }
    }

    @Test func reopenReturnsTheSnapshotAndOnlyTheEntriesAfterIt() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let (log, _) = try WriteAheadLog.open(directory: directory.path, segmentSizeBytes: Fixtures.smallSegmentBytes)
        try Self.writeEntries(log, 1...50)
        try log.saveSnapshot(Self.snapshot(40, term: 1))
        try Self.writeEntries(log, 51...55)
        log.close()

        let (reopened, recovered) = try WriteAheadLog.open(directory: directory.path, segmentSizeBytes: Fixtures.smallSegmentBytes)
        defer { reopened.close() }
        #expect(recovered.snapshot == Self.snapshot(40, term: 1))
        #expect(recovered.entries == Fixtures.entries(41...55, term: 1))
        #expect(recovered.skippedSnapshots.isEmpty)
        #expect(reopened.lastIndex == 55)
    }

    @Test func segmentsBelowTheOlderOfTwoSnapshotsAreRemovedAndOnlyTwoSnapshotsKept() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let (log, _) = try WriteAheadLog.open(directory: directory.path, segmentSizeBytes: Fixtures.smallSegmentBytes)
        defer { log.close() }
        try Self.writeEntries(log, 1...60)
        let segmentsBefore = try directory.segmentPaths()
        try log.saveSnapshot(Self.snapshot(45, term: 1))
        #expect(try directory.segmentPaths() == segmentsBefore, "the first snapshot keeps the whole log as its fallback")

        try Self.writeEntries(log, 61...120)
        try log.saveSnapshot(Self.snapshot(110, term: 1))
        try log.saveSnapshot(Self.snapshot(115, term: 1))
        #expect(try directory.snapshotNames() == ["snapshot-000000000000006e.snap", "snapshot-0000000000000073.snap"])
        let remaining = try directory.segmentPaths()
        #expect(!remaining.contains(segmentsBefore[0]), "the segment holding entries 1... must be gone")
        #expect(remaining.count < segmentsBefore.count + 3)

        let (reopened, recovered) = try WriteAheadLog.open(directory: directory.path, segmentSizeBytes: Fixtures.smallSegmentBytes)
        reopened.close()
        #expect(recovered.snapshot?.index == 115)
        #expect(recovered.entries == Fixtures.entries(116...120, term: 1))
    }

    @Test func corruptNewestSnapshotFallsBackToTheOlderOneWithItsLog() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let (log, _) = try WriteAheadLog.open(directory: directory.path, segmentSizeBytes: Fixtures.smallSegmentBytes)
        try Self.writeEntries(log, 1...60)
        try log.saveSnapshot(Self.snapshot(20, term: 1))
        try Self.writeEntries(log, 61...100)
        try log.saveSnapshot(Self.snapshot(90, term: 1))
        log.close()
        let newest = directory.file("snap/snapshot-000000000000005a.snap")
        try Files.flipByte(newest, at: 30)

        let (reopened, recovered) = try WriteAheadLog.open(directory: directory.path, segmentSizeBytes: Fixtures.smallSegmentBytes)
        reopened.close()
        #expect(recovered.snapshot == Self.snapshot(20, term: 1))
        #expect(recovered.entries == Fixtures.entries(21...100, term: 1))
        #expect(recovered.skippedSnapshots.count == 1)
        #expect(recovered.skippedSnapshots.first?.hasPrefix(newest + ": checksum mismatch") == true)
    }

    @Test func snapshotBeyondTheLogDiscardsItAndTheNextEntryFollowsTheSnapshot() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let (log, _) = try WriteAheadLog.open(directory: directory.path, segmentSizeBytes: Fixtures.smallSegmentBytes)
        try Self.writeEntries(log, 1...10)
        try log.saveSnapshot(Self.snapshot(30, term: 4))
        #expect(log.lastIndex == 30)
        #expect(throws: StorageError.conflictsWithSnapshot(index: 30, snapshotIndex: 30)) {
            try log.append(entries: [Fixtures.entry(30, term: 4)], hardState: nil)
        }
        try Self.writeEntries(log, 31...33, term: 4)
        log.close()

        let (reopened, recovered) = try WriteAheadLog.open(directory: directory.path, segmentSizeBytes: Fixtures.smallSegmentBytes)
        reopened.close()
        #expect(recovered.snapshot?.index == 30)
        #expect(recovered.entries == Fixtures.entries(31...33, term: 4))
    }

    @Test func snapshotDisagreeingWithTheLogAtItsIndexDiscardsTheWholeLog() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let (log, _) = try WriteAheadLog.open(directory: directory.path, segmentSizeBytes: Fixtures.smallSegmentBytes)
        try Self.writeEntries(log, 1...20, term: 1)
        try log.saveSnapshot(Self.snapshot(15, term: 2))
        #expect(log.lastIndex == 15)
        try Self.writeEntries(log, 16...17, term: 2)
        log.close()

        let (reopened, recovered) = try WriteAheadLog.open(directory: directory.path, segmentSizeBytes: Fixtures.smallSegmentBytes)
        reopened.close()
        #expect(recovered.entries == Fixtures.entries(16...17, term: 2))
    }

    @Test func olderSnapshotThanTheSavedOneIsRefused() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let (log, _) = try WriteAheadLog.open(directory: directory.path)
        defer { log.close() }
        try Self.writeEntries(log, 1...10)
        try log.saveSnapshot(Self.snapshot(8, term: 1))
        #expect(throws: StorageError.staleSnapshot(index: 5, newestIndex: 8)) {
            try log.saveSnapshot(Self.snapshot(5, term: 1))
        }
    }

    @Test func allSnapshotsCorruptAfterCompactionIsAGapNotSilentLoss() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let (log, _) = try WriteAheadLog.open(directory: directory.path, segmentSizeBytes: Fixtures.smallSegmentBytes)
        try Self.writeEntries(log, 1...100)
        try log.saveSnapshot(Self.snapshot(50, term: 1))
        try log.saveSnapshot(Self.snapshot(95, term: 1))
        log.close()
        for name in try directory.snapshotNames() { try Files.flipByte(directory.file("snap/" + name), at: 25) }

        #expect(throws: StorageError.self) {
            try WriteAheadLog.open(directory: directory.path, segmentSizeBytes: Fixtures.smallSegmentBytes)
        }
        do {
            _ = try WriteAheadLog.open(directory: directory.path, segmentSizeBytes: Fixtures.smallSegmentBytes)
        } catch let error {
            guard case let .gap(expectedIndex, foundIndex, _) = error else {
                Issue.record("expected a gap, got \(error)")
                return
            }
            #expect(expectedIndex == 1)
            #expect(foundIndex > 1)
        }
    }

    @Test func snapshotSavedJustBeforeACrashStillOverridesALogThatDisagreesWithIt() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let (log, _) = try WriteAheadLog.open(directory: directory.path, segmentSizeBytes: Fixtures.smallSegmentBytes)
        try Self.writeEntries(log, 1...20, term: 1)
        log.close()
        // The snapshot file is durable but the crash came before its marker reached the log.
        try SnapshotStore(directory: directory.file("snap")).write(Self.snapshot(15, term: 2))

        let (reopened, recovered) = try WriteAheadLog.open(directory: directory.path, segmentSizeBytes: Fixtures.smallSegmentBytes)
        #expect(recovered.snapshot == Self.snapshot(15, term: 2))
        #expect(recovered.entries.isEmpty, "entries 16...20 of term 1 follow a different entry 15 and are stale")
        #expect(reopened.lastIndex == 15)
        try reopened.append(entries: [Fixtures.entry(16, term: 2)], hardState: nil)
        reopened.close()

        let (again, afterAppend) = try WriteAheadLog.open(directory: directory.path, segmentSizeBytes: Fixtures.smallSegmentBytes)
        again.close()
        #expect(afterAppend.entries == [Fixtures.entry(16, term: 2)], "the entry appended after recovery must not be judged stale")
    }
}
