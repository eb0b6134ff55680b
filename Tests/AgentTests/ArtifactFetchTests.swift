@testable import Agent
import FileSystem
import Glibc
import HostInstall
import ModuleArchive
import Observability
import Primitives
import Storage
import Telemetry
import Testing
import TestSupport

/// The agent's artifact fetch on real files: what it asks for, what it keeps, and which
/// failures it retries, refuses or gives up on. The "leader" answers each request at once by
/// putting frames in the inbox, as the session's loop would.
@Suite struct ArtifactFetchTests {
    let directory = TemporaryDirectory()
    let link = SessionLinkID(serial: 7)
    static let content: [UInt8] = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }

    static var settings: ArtifactFetchSettings {
        var settings = ArtifactFetchSettings()
        settings.beginTimeout = .milliseconds(200)
        settings.stallTimeout = .milliseconds(200)
        settings.attemptsMaximum = 3
        settings.retryDelay = .milliseconds(1)
        return settings
    }

    func fetcher(_ settings: ArtifactFetchSettings = Self.settings) throws -> ArtifactFetcher {
        try ArtifactFetcher(directory: directory.file("artifacts"), settings: settings,
                            logger: Logger(component: "fetch", minimumLevel: .error, sink: LogSink.capturing().0))
    }

    static func ordered(_ bytes: [UInt8] = content) throws -> OrderedArtifact {
        OrderedArtifact(sha256: try ArtifactDigest(hashing: bytes).bytes, size: UInt64(bytes.count))
    }

    /// The frames of one transfer of `bytes` from `offset` (the CRC optionally wrong).
    static func transfer(_ bytes: [UInt8], sha256: [UInt8], offset: Int, id: UInt64, badChecksum: Bool = false) -> [ArtifactFrame] {
        let data = Array(bytes[offset...])
        let checksum = CRC32C.checksum(data) ^ (badChecksum ? 1 : 0)
        var frames: [ArtifactFrame] = [.begin(TransferHeader(
            purpose: .artifact, transferID: id, term: 0, index: 0, totalBytes: UInt64(data.count), checksum: checksum,
            context: ArtifactRequestCodec.transferContext(sha256: sha256, offset: UInt64(offset))))]
        for start in stride(from: 0, to: data.count, by: TransferCodec.chunkBytesMaximum) {
            let end = min(start + TransferCodec.chunkBytesMaximum, data.count)
            frames.append(.chunk(TransferChunk(transferID: id, offset: UInt64(start), bytes: Array(data[start..<end]))))
        }
        return frames + [.end(transferID: id)]
    }

    /// Fetches `artifact`, answering the n-th request with `answer(n, request)`; returns the outcome and the requests.
    func run(_ artifact: OrderedArtifact, fetcher: ArtifactFetcher? = nil, inboxBytes: Int = 16 << 20,
             answer: (Int, ArtifactRequest) -> [ArtifactFrame]) throws -> (ArtifactFetcher.Outcome, [ArtifactRequest]) {
        let inbox = try ArtifactInbox(bytesMaximum: inboxBytes)
        var requests: [ArtifactRequest] = []
        let outcome = try (fetcher ?? self.fetcher()).fetch(artifact, on: link, inbox: inbox) { request in
            requests.append(request)
            for frame in answer(requests.count, request) { inbox.deliver(frame, on: link) }
        }
        return (outcome, requests)
    }

    func fileBytes(_ path: String) throws -> [UInt8] {
        try FileReaderForTests.read(path)
    }

    @Test func aWholeFetchEndsAsTheFinishedFileNamedBySha256() throws {
        let artifact = try Self.ordered()
        let (outcome, requests) = try run(artifact) { _, request in
            Self.transfer(Self.content, sha256: artifact.sha256, offset: Int(request.offset), id: 1)
        }
        let digest = try #require(ArtifactDigest(bytes: artifact.sha256))
        let finished = directory.file("artifacts/\(digest.hex)")
        #expect(outcome == .fetched(path: finished))
        #expect(requests.map(\.offset) == [0])
        #expect(try fileBytes(finished) == Self.content)
    }

    @Test func aFetchResumesFromThePartialFilesSize() throws {
        let artifact = try Self.ordered()
        let fetcher = try fetcher()
        let digest = try #require(ArtifactDigest(bytes: artifact.sha256))
        try FileReaderForTests.write(Array(Self.content[0..<100_000]), to: fetcher.files.partialPath(digest))
        let (outcome, requests) = try run(artifact, fetcher: fetcher) { _, request in
            Self.transfer(Self.content, sha256: artifact.sha256, offset: Int(request.offset), id: 2)
        }
        #expect(outcome == .fetched(path: fetcher.files.finishedPath(digest)))
        #expect(requests.map(\.offset) == [100_000])
        #expect(try fileBytes(fetcher.files.finishedPath(digest)) == Self.content)
    }

    @Test func aCRCMismatchIsCutOffAndAskedForAgain() throws {
        let artifact = try Self.ordered()
        let (outcome, requests) = try run(artifact) { count, request in
            Self.transfer(Self.content, sha256: artifact.sha256, offset: Int(request.offset), id: UInt64(count), badChecksum: count == 1)
        }
        guard case .fetched = outcome else { Issue.record("\(outcome)"); return }
        #expect(requests.map(\.offset) == [0, 0], "the bad transfer's bytes were not kept")
    }

    @Test func bytesThatDoNotHashToTheOrderedSha256AreRefused() throws {
        var other = Self.content
        other[5] ^= 0xFF
        let artifact = try Self.ordered()
        let (outcome, requests) = try run(artifact) { count, request in
            Self.transfer(other, sha256: artifact.sha256, offset: Int(request.offset), id: UInt64(count))
        }
        guard case let .refused(reason) = outcome else { Issue.record("\(outcome)"); return }
        #expect(reason.contains("sha256") && requests.map(\.offset) == [0, 0], "fetched whole once more before refusing")
    }

    @Test func aWholeFileThatDoesNotHashOnceIsFetchedAgainAndKept() throws {
        var damaged = Self.content
        damaged[5] ^= 0xFF
        let artifact = try Self.ordered()
        let (outcome, requests) = try run(artifact) { count, request in
            Self.transfer(count == 1 ? damaged : Self.content, sha256: artifact.sha256, offset: Int(request.offset), id: UInt64(count))
        }
        guard case .fetched = outcome else { Issue.record("\(outcome)"); return }
        #expect(requests.map(\.offset) == [0, 0])
    }

    @Test func refusalsAreRetriedABoundedNumberOfTimes() throws {
        let artifact = try Self.ordered()
        let (outcome, requests) = try run(artifact) { _, _ in [.refusal(ArtifactRefusal(sha256: artifact.sha256, reason: .busy))] }
        guard case let .failed(reason) = outcome else { Issue.record("\(outcome)"); return }
        #expect(reason.contains("busy") && requests.count == Self.settings.attemptsMaximum)
    }

    @Test func aStalledTransferFailsAfterItsBound() throws {
        let artifact = try Self.ordered()
        let (outcome, requests) = try run(artifact) { _, request in
            Array(Self.transfer(Self.content, sha256: artifact.sha256, offset: Int(request.offset), id: 1).prefix(2))
        }
        guard case let .failed(reason) = outcome else { Issue.record("\(outcome)"); return }
        #expect(reason.contains("no chunk for") && requests.count == Self.settings.attemptsMaximum)
        let chunk = UInt64(TransferCodec.chunkBytesMaximum)
        #expect(requests.map(\.offset) == [0, chunk, 2 * chunk], "each stall keeps the one chunk that came and resumes after it")
    }

    @Test func aChunkOfAnotherTransferIsIgnoredAndNotWritten() throws {
        let artifact = try Self.ordered()
        let (outcome, requests) = try run(artifact) { count, request in
            let good = Self.transfer(Self.content, sha256: artifact.sha256, offset: Int(request.offset), id: UInt64(count))
            guard count == 1 else { return good }
            return [good[0], .chunk(TransferChunk(transferID: 99, offset: 0, bytes: [UInt8](repeating: 0xEE, count: 1_000)))]
        }
        let digest = try #require(ArtifactDigest(bytes: artifact.sha256))
        guard case .fetched = outcome else { Issue.record("\(outcome)"); return }
        #expect(requests.map(\.offset) == [0, 0], "the stray chunk was not kept: the retry starts at 0")
        #expect(try fileBytes(directory.file("artifacts/\(digest.hex)")) == Self.content)
    }

    @Test func anOversizedArtifactOrTransferIsNotTaken() throws {
        var small = Self.settings
        small.artifactBytesMaximum = 1_000
        let artifact = try Self.ordered()
        let (refused, none) = try run(artifact, fetcher: try fetcher(small)) { _, _ in [] }
        guard case .refused = refused else { Issue.record("\(refused)"); return }
        #expect(none.isEmpty, "nothing is asked for an artifact over the bound")

        let ten: [UInt8] = Array(1...10)
        let tenBytes = try Self.ordered(ten)
        let (failed, requests) = try run(tenBytes) { _, request in
            let frames = Self.transfer(ten + [11], sha256: tenBytes.sha256, offset: Int(request.offset), id: 1)
            guard case var .begin(header) = frames[0] else { return [] }
            header.totalBytes = 10
            return [.begin(header)] + frames.dropFirst()
        }
        guard case let .failed(reason) = failed else { Issue.record("\(failed)"); return }
        #expect(reason.contains("past the transfer") && requests.count == Self.settings.attemptsMaximum)
    }

    @Test func aTransferBegunAtAnotherOffsetIsSkippedToItsEndAndAskedAgain() throws {
        let artifact = try Self.ordered()
        let (outcome, requests) = try run(artifact) { count, request in
            Self.transfer(Self.content, sha256: artifact.sha256, offset: count == 1 ? 5 : Int(request.offset), id: UInt64(count))
        }
        guard case .fetched = outcome else { Issue.record("\(outcome)"); return }
        #expect(requests.map(\.offset) == [0, 0])
    }

    @Test func aChunkOutOfPlaceSkipsTheTransferToItsEndAndAsksAgain() throws {
        let artifact = try Self.ordered()
        let (outcome, requests) = try run(artifact) { count, request in
            var frames = Self.transfer(Self.content, sha256: artifact.sha256, offset: Int(request.offset), id: UInt64(count))
            if count == 1 { frames.swapAt(1, 2) }
            return frames
        }
        guard case .fetched = outcome else { Issue.record("\(outcome)"); return }
        #expect(requests.map(\.offset) == [0, 0], "nothing of the bad transfer was kept")
    }

    @Test func aBadOffsetRefusalEmptiesThePartialFileAndTheFetchStartsOver() throws {
        let artifact = try Self.ordered()
        let fetcher = try fetcher()
        let digest = try #require(ArtifactDigest(bytes: artifact.sha256))
        try FileReaderForTests.write(Array(Self.content[0..<100_000]), to: fetcher.files.partialPath(digest))
        let (outcome, requests) = try run(artifact, fetcher: fetcher) { count, request in
            count == 1 ? [.refusal(ArtifactRefusal(sha256: artifact.sha256, reason: .badOffset))]
                : Self.transfer(Self.content, sha256: artifact.sha256, offset: Int(request.offset), id: UInt64(count))
        }
        #expect(outcome == .fetched(path: fetcher.files.finishedPath(digest)))
        #expect(requests.map(\.offset) == [100_000, 0])
    }

    @Test func aResumedFileThatDoesNotHashIsFetchedAgainFromByteZero() throws {
        let artifact = try Self.ordered()
        let fetcher = try fetcher()
        let digest = try #require(ArtifactDigest(bytes: artifact.sha256))
        try FileReaderForTests.write([UInt8](repeating: 0x55, count: 100_000), to: fetcher.files.partialPath(digest))
        let (outcome, requests) = try run(artifact, fetcher: fetcher) { count, request in
            Self.transfer(Self.content, sha256: artifact.sha256, offset: Int(request.offset), id: UInt64(count))
        }
        #expect(outcome == .fetched(path: fetcher.files.finishedPath(digest)))
        #expect(requests.map(\.offset) == [100_000, 0])
        #expect(try fileBytes(fetcher.files.finishedPath(digest)) == Self.content)
    }

    @Test func anOverflowingInboxIsRetriedNotAbandoned() throws {
        let artifact = try Self.ordered()
        let (outcome, requests) = try run(artifact, inboxBytes: 200_000) { count, request in
            Self.transfer(Self.content, sha256: artifact.sha256, offset: Int(request.offset), id: UInt64(count))
        }
        guard case let .failed(reason) = outcome else { Issue.record("\(outcome)"); return }
        #expect(reason.contains("waited for the disk"))
        #expect(requests.count == Self.settings.attemptsMaximum, "each overflow is another attempt")
    }

    @Test func afterAnOverflowTheInboxKeepsChunksWithoutBytesAndTheEnd() throws {
        let inbox = try ArtifactInbox(bytesMaximum: 200_000)
        inbox.expect(on: link)
        for frame in Self.transfer(Self.content, sha256: [UInt8](repeating: 1, count: 32), offset: 0, id: 4) {
            inbox.deliver(frame, on: link)
        }
        let deadline = MonotonicInstant.now().advanced(by: .seconds(5))
        guard case .overflowed = inbox.next(until: deadline) else { Issue.record("no overflow"); return }
        guard case let .frames(frames) = inbox.next(until: deadline) else { Issue.record("no frames after it"); return }
        #expect(frames.first.map { if case .begin = $0 { true } else { false } } == true, "the begin is kept")
        #expect(frames.last == .end(transferID: 4))
        #expect(frames.allSatisfy { if case let .chunk(chunk) = $0 { chunk.bytes.isEmpty } else { true } })
    }

    @Test func anArtifactLargerThanTheFreeDiskIsNotAskedFor() throws {
        var unbounded = Self.settings
        unbounded.artifactBytesMaximum = .max
        let huge = OrderedArtifact(sha256: [UInt8](repeating: 3, count: 32), size: 1 << 62)
        let (outcome, requests) = try run(huge, fetcher: try fetcher(unbounded)) { _, _ in [] }
        guard case let .failed(reason) = outcome else { Issue.record("\(outcome)"); return }
        #expect(reason.contains("free") && requests.isEmpty, "\(reason)")
    }

    @Test func aLostLinkGivesUpAtOnce() throws {
        let artifact = try Self.ordered()
        let inbox = try ArtifactInbox(bytesMaximum: 16 << 20)
        var requests = 0
        let outcome = try fetcher().fetch(artifact, on: link, inbox: inbox) { _ in
            requests += 1
            inbox.fail(on: link, reason: "the connection closed")
        }
        #expect(outcome == .failed("the connection closed") && requests == 1)
    }
}

/// Whole-file reads and writes for the fetch tests.
enum FileReaderForTests {
    static func read(_ path: String) throws -> [UInt8] {
        try FileReader.read(path, maximumBytes: 1 << 20)
    }

    static func write(_ bytes: [UInt8], to path: String) throws {
        try AtomicWrite.replace(path, with: bytes, mode: 0o600)
    }
}
