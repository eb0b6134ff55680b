import Storage
import Testing
import TestSupport

struct RoundTripTests {
    @Test func entriesAndHardStatesAcrossSeveralSegmentsComeBackAfterReopen() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        var expected: [LogEntryRecord] = []
        let (log, fresh) = try WriteAheadLog.open(directory: directory.path, segmentSizeBytes: Fixtures.smallSegmentBytes)
        #expect(fresh.entries.isEmpty && fresh.hardState == nil && fresh.snapshot == nil && fresh.truncatedTailBytes == 0)
        for index in UInt64(1)...60 {
            let entry = Fixtures.entry(index, term: 1 + index / 20, dataBytes: Int(index % 7) * 13)
            expected.append(entry)
            try log.append(entries: [entry], hardState: HardStateRecord(term: entry.term, votedFor: 2, commitIndex: index - 1))
        }
        #expect(log.lastIndex == 60)
        log.close()
        #expect(try directory.segmentPaths().count >= 3, "the test needs several segments")

        let (reopened, recovered) = try WriteAheadLog.open(directory: directory.path, segmentSizeBytes: Fixtures.smallSegmentBytes)
        defer { reopened.close() }
        #expect(recovered.entries == expected)
        #expect(recovered.hardState == HardStateRecord(term: 4, votedFor: 2, commitIndex: 59))
        #expect(recovered.truncatedTailBytes == 0)
        #expect(reopened.lastIndex == 60)
        #expect(reopened.segmentFiles == (try directory.segmentPaths()), "every segment on disk, oldest first")
    }

    @Test func overwriteOfAConflictingSuffixIsHonouredAfterReopen() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let (log, _) = try WriteAheadLog.open(directory: directory.path, segmentSizeBytes: Fixtures.smallSegmentBytes)
        try log.append(entries: Fixtures.entries(1...30, term: 1), hardState: nil)
        try log.append(entries: Fixtures.entries(12...14, term: 2), hardState: nil)
        #expect(log.lastIndex == 14)
        try log.append(entries: Fixtures.entries(15...16, term: 2), hardState: nil)
        log.close()

        let (reopened, recovered) = try WriteAheadLog.open(directory: directory.path, segmentSizeBytes: Fixtures.smallSegmentBytes)
        defer { reopened.close() }
        #expect(recovered.entries == Fixtures.entries(1...11, term: 1) + Fixtures.entries(12...16, term: 2))
        #expect(reopened.lastIndex == 16)
    }

    @Test func overwriteThatReachesBackIntoAnOlderSegmentDiscardsEverythingAfterIt() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let (log, _) = try WriteAheadLog.open(directory: directory.path, segmentSizeBytes: Fixtures.smallSegmentBytes)
        for index in UInt64(1)...40 { try log.append(entries: [Fixtures.entry(index, term: 1)], hardState: nil) }
        try log.append(entries: [Fixtures.entry(3, term: 5)], hardState: nil)
        log.close()

        let (reopened, recovered) = try WriteAheadLog.open(directory: directory.path, segmentSizeBytes: Fixtures.smallSegmentBytes)
        defer { reopened.close() }
        #expect(recovered.entries == Fixtures.entries(1...2, term: 1) + [Fixtures.entry(3, term: 5)])
    }

    @Test func appendThatWouldLeaveAHoleIsRefusedAndChangesNothing() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let (log, _) = try WriteAheadLog.open(directory: directory.path)
        defer { log.close() }
        try log.append(entries: Fixtures.entries(1...3, term: 1), hardState: nil)
        let segment = try directory.segmentPaths().last!
        #expect(throws: StorageError.gap(expectedIndex: 4, foundIndex: 5, file: segment)) {
            try log.append(entries: [Fixtures.entry(5, term: 1)], hardState: nil)
        }
        #expect(throws: StorageError.gap(expectedIndex: 5, foundIndex: 6, file: segment)) {
            try log.append(entries: [Fixtures.entry(4, term: 1), Fixtures.entry(6, term: 1)], hardState: nil)
        }
        #expect(log.lastIndex == 3)
    }

    @Test func hardStateAloneIsDurableAndTheLatestWins() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let (log, _) = try WriteAheadLog.open(directory: directory.path, segmentSizeBytes: Fixtures.smallSegmentBytes)
        for term in UInt64(1)...80 {
            try log.append(entries: [], hardState: HardStateRecord(term: term, votedFor: term % 3, commitIndex: 0))
        }
        log.close()
        let (reopened, recovered) = try WriteAheadLog.open(directory: directory.path, segmentSizeBytes: Fixtures.smallSegmentBytes)
        defer { reopened.close() }
        #expect(recovered.hardState == HardStateRecord(term: 80, votedFor: 2, commitIndex: 0))
        #expect(recovered.entries.isEmpty)
    }

    @Test func commitOnlyHardStatesWrittenWithoutSyncSurviveRollsAndReopen() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let (log, _) = try WriteAheadLog.open(directory: directory.path, segmentSizeBytes: Fixtures.smallSegmentBytes)
        for index in UInt64(1)...40 {
            #expect(try log.append(entries: [Fixtures.entry(index, term: 3, dataBytes: 40)],
                                   hardState: HardStateRecord(term: 3, votedFor: 1, commitIndex: index - 1)), "entries are synced")
            #expect(try !log.append(entries: [], hardState: HardStateRecord(term: 3, votedFor: 1, commitIndex: index)),
                    "a commit index alone is held back")
        }
        #expect(try !log.append(entries: [], hardState: nil), "nothing to write")
        try log.flushAndClose()
        #expect(try directory.segmentPaths().count >= 3, "the test needs segments left while a commit-only record was their tail")
        let (reopened, recovered) = try WriteAheadLog.open(directory: directory.path, segmentSizeBytes: Fixtures.smallSegmentBytes)
        defer { reopened.close() }
        #expect(recovered.hardState == HardStateRecord(term: 3, votedFor: 1, commitIndex: 40))
        #expect(recovered.entries.count == 40 && recovered.truncatedTailBytes == 0)
    }

    @Test func closedLogRefusesAppends() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let (log, _) = try WriteAheadLog.open(directory: directory.path)
        log.close()
        #expect(throws: StorageError.closed) {
            try log.append(entries: [Fixtures.entry(1, term: 1)], hardState: nil)
        }
    }

    @Test func missingSegmentInTheMiddleIsRefusedNamingIt() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let (log, _) = try WriteAheadLog.open(directory: directory.path, segmentSizeBytes: Fixtures.smallSegmentBytes)
        for index in UInt64(1)...80 { try log.append(entries: [Fixtures.entry(index, term: 1)], hardState: nil) }
        log.close()
        let segments = try directory.segmentPaths()
        try #require(segments.count >= 3)
        try Files.remove(segments[1])
        #expect(throws: StorageError.missingSegment(directory: directory.file("wal"), expectedSequence: 2, foundSequence: 3)) {
            try WriteAheadLog.open(directory: directory.path, segmentSizeBytes: Fixtures.smallSegmentBytes)
        }
    }
}
