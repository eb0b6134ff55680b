import Foundation
import Testing
import TestSupport

/// Recovery of a real coordinator's write-ahead log from damage, on copies of
/// a real data directory: a torn tail at every byte offset of the newest
/// segment's last records keeps exactly the intact batches before it (checked with
/// `hotswap data verify`, and by starting real coordinators on a sample), and
/// corruption with valid records after it is refused by both, naming the
/// segment file and the record's offset, with the files left as they were.
@Suite(.serialized)
struct WALRecoveryTests {
    /// Recorded once: two coordinator runs are the slow part, and every test
    /// only reads the in-memory copy.
    static let recorded = Result { try RecordedDataDirectory.record() }

    /// The sweep covers at least this many of the newest segment's last records,
    /// reaching back far enough to include this many entry records.
    static let sweptRecords = 3
    static let sweptEntries = 3
    /// Concurrent `hotswap data verify` processes during a sweep.
    static let verifyWorkers = 4

    @Test func aTruncationAtEveryOffsetOfTheLastRecordsKeepsExactlyTheIntactPrefix() throws {
        let recorded = try Self.recorded.get()
        let start = recorded.model.sweepStart(records: Self.sweptRecords, entries: Self.sweptEntries)
        let swept = recorded.model.newest.frames.filter { $0.offset >= start }
        #expect(swept.count >= Self.sweptRecords && swept.filter { $0.entryIndex != nil }.count >= Self.sweptEntries)
        let damages = (start...recorded.model.newest.bytes.count).map { TailDamage.truncated(at: $0) }
        let outcomes = sweep(recorded, damages)
        #expect(outcomes.allSatisfy { if case .keeps = $0.expected { true } else { false } },
                "a cut file is always a torn tail, never mid-log corruption")
    }

    @Test func aFlippedByteInTheLastBatchIsCutAsTornAndInAnyEarlierBatchIsRefused() throws {
        let recorded = try Self.recorded.get()
        let start = recorded.model.sweepStart(records: Self.sweptRecords, entries: Self.sweptEntries)
        let damages = (start..<recorded.model.newest.bytes.count).map { TailDamage.flipped(at: $0) }
        let outcomes = sweep(recorded, damages)
        let lastBatch = recorded.model.newestBatches.last!
        let cutAsTorn = outcomes.filter { if case .keeps = $0.expected { true } else { false } }
        #expect(cutAsTorn.count == lastBatch.last!.end - lastBatch.first!.offset, "only flips in the last batch are torn writes")
        #expect(cutAsTorn.count < outcomes.count, "flips in earlier batches must be swept too")
    }

    @Test func verifyRefusesWhileACoordinatorHoldsTheDataDirectory() throws {
        let recorded = try Self.recorded.get()
        guard case let .refused(status, message) = recorded.verifyBesideLiveCoordinator else {
            Issue.record("verify ran beside a live coordinator: \(recorded.verifyBesideLiveCoordinator)")
            return
        }
        #expect(status == 1)
        #expect(message.contains("is locked by pid \(recorded.livePid)"), "\(message)")
    }

    @Test func aRealCoordinatorStartsOnDamagedCopiesAndServesExactlyTheIntactPrefix() throws {
        let recorded = try Self.recorded.get()
        let certificates = try CertificateFixture()
        let entries = recorded.model.newest.frames.filter { $0.entryIndex != nil }
        try #require(entries.count >= 3)
        let last = recorded.model.newest.frames.last!
        let samples: [(TailDamage, lost: Int)] = [
            (.truncated(at: entries[entries.count - 1].offset + 20), 1),
            (.flipped(at: last.offset + SegmentFrame.headerBytes + 1),
             recorded.model.newestBatches.last!.filter { $0.entryIndex != nil }.count),
            (.truncated(at: entries[entries.count - 3].end - 1), 3),
        ]
        for (damage, lost) in samples {
            guard case let .keeps(summary) = recorded.model.expectation(damage) else {
                Issue.record("\(damage) should be survivable")
                continue
            }
            let expected = recorded.environmentsKept(after: damage)
            #expect(expected.count == recorded.environments.count - lost, "\(damage): the sample must lose \(lost)")
            let data = TemporaryDirectory()
            try recorded.writeCopy(to: data.path, damage: damage)
            let coordinator = try CoordinatorProcess(tlsDirectory: certificates.tlsDirectory, dataDirectory: data)
            let written = Set(recorded.environments)
            let authorization = try coordinator.adminAuthorization()
            let served = { EnvironmentAPI.names(on: coordinator, ca: certificates.ca, authorization: authorization) }
            #expect(eventually { served().intersection(written) == expected }, "\(damage): serves \(served().sorted())")
            #expect(coordinator.log.text.contains("torn tail; truncated\" bytes=\(summary.truncatedTailBytes)"),
                    "\(damage): \(coordinator.log.text)")
            #expect(coordinator.stop(with: SIGTERM) == 0)
        }
    }

    @Test func aCorruptMiddleRecordIsRefusedByVerifyAndByTheCoordinatorNamingFileAndOffset() throws {
        let recorded = try Self.recorded.get()
        let certificates = try CertificateFixture()
        try #require(recorded.model.segments.count == 2, "the recording makes one segment per run")
        for segment in recorded.model.segments {
            let entries = segment.frames.filter { $0.entryIndex != nil }
            let victim = entries[entries.count / 2]
            try #require(segment.frames.last!.offset > victim.offset, "valid records must follow the victim")
            var damaged = segment.bytes
            damaged[victim.offset + SegmentFrame.headerBytes + 1] ^= 0xFF
            let data = TemporaryDirectory()
            try recorded.image.write(to: data.path, replacing: (segment.relativePath, damaged))
            let named = "\(data.path)/\(segment.relativePath) at offset \(victim.offset):"

            let verify = try DataVerify.run(dataDirectory: data.path)
            #expect(verify.satisfies(.refuses(segment: segment.relativePath, offset: victim.offset),
                                     dataDirectory: data.path), "\(segment.relativePath): \(verify)")
            let coordinator = try ExternalCommand.run([
                HotSwapBinary.path, "coordinator", "--name", "c1", "--data-dir", data.path,
                "--tls-dir", certificates.tlsDirectory, "--peer-addr", "127.0.0.1:0", "--agent-addr", "127.0.0.1:0",
                "--api-addr", "127.0.0.1:0"], timeout: CoordinatorProcess.startTimeout)
            #expect(coordinator.status == 1, "\(segment.relativePath): \(coordinator.combined)")
            #expect(coordinator.standardError.contains(named), "\(coordinator.standardError)")
            #expect(try segmentFiles(in: data.path) == recorded.model.segments.map(\.relativePath),
                    "a refusal must not start a segment")
            #expect(try [UInt8](Data(contentsOf: URL(fileURLWithPath: data.file(segment.relativePath)))) == damaged,
                    "a refusal must leave the damaged file as it was, for forensics")
        }
    }

    /// One damaged copy: what recovery must do and what `hotswap data verify` did.
    private struct SweptCopy: Sendable {
        let damage: TailDamage
        let expected: ExpectedRecovery
        let found: Result<VerifyOutcome, any Error>
        let directory: String
    }

    /// Writes a damaged copy per damage, runs `hotswap data verify` on each,
    /// and records one issue listing every copy whose outcome differs from the model.
    private func sweep(_ recorded: RecordedDataDirectory, _ damages: [TailDamage]) -> [SweptCopy] {
        let root = TemporaryDirectory()
        let rootPath = root.path
        let copies = withExtendedLifetime(root) {
            ParallelMap.map(count: damages.count, workers: Self.verifyWorkers) { index in
                let directory = "\(rootPath)/copy-\(index)"
                let found = Result {
                    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: false)
                    try recorded.writeCopy(to: directory, damage: damages[index])
                    return try DataVerify.run(dataDirectory: directory)
                }
                return SweptCopy(damage: damages[index], expected: recorded.model.expectation(damages[index]),
                                 found: found, directory: directory)
            }
        }
        let mismatches = copies.filter { copy in
            (try? copy.found.get().satisfies(copy.expected, dataDirectory: copy.directory)) != true
        }
        if !mismatches.isEmpty {
            let examples = mismatches.prefix(3).map { "\($0.damage): expected \($0.expected), found \($0.found)" }
            Issue.record("""
                \(mismatches.count) of \(copies.count) copies recovered differently from the rules, e.g.:
                \(examples.joined(separator: "\n"))
                """)
        }
        return copies
    }

    private func segmentFiles(in dataDirectory: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: "\(dataDirectory)/raft/wal").sorted().map { "raft/wal/\($0)" }
    }
}
