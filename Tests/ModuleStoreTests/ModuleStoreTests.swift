import Glibc
@testable import ModuleArchive
import Testing
import TestSupport

/// The module store's round trips, deduplication, expected digests, collection and checks, on a
/// real directory.
struct ModuleStoreTests {
    @Test func anArtifactStoredInPiecesReadsBackAndIsNamedByTheSha256OfSha256sum() throws {
        try Prerequisite.requireTools("sha256sum")
        let directory = TemporaryDirectory()
        let store = try ModuleStore.open(directory: directory.file("modules"))
        let bytes = StoreFixtures.bytes(300_001, seed: 1)
        let finished = try StoreFixtures.store(bytes, in: store)
        let digest = try StoreFixtures.sha256sum(bytes)

        #expect(finished == .init(artifact: .init(digest: digest, byteCount: 300_001), wasAlreadyStored: false))
        #expect(store.contains(digest))
        #expect(try StoreFixtures.names(directory.file("modules/sha256")) == [digest.hex])
        #expect(try StoreFixtures.names(directory.file("modules/incoming")).isEmpty)
        #expect(try StoreFixtures.contents(store.path(of: digest)) == bytes)
        #expect(try StoreFixtures.mode(store.path(of: digest)) == 0o600)
        #expect(store.usage == .init(artifactCount: 1, storedBytes: 300_001, uploadingBytes: 0))

        let reader = try store.open(digest)
        #expect(reader.byteCount == 300_001)
        var read: [UInt8] = []
        while true {
            let piece = try reader.read(atOffset: Int64(read.count), upTo: 70_000)
            if piece.isEmpty { break }
            read += piece
        }
        #expect(read == bytes)
        #expect(try reader.read(atOffset: 299_999, upTo: 10) == Array(bytes[299_999...]))
        try store.verify(digest)
    }

    @Test func aReadIsBoundedByTheStoresPiece() throws {
        let directory = TemporaryDirectory()
        let store = try ModuleStore.open(directory: directory.path, limits: ModuleStoreLimits(readPieceBytesMaximum: 1000))
        let digest = try StoreFixtures.store(StoreFixtures.bytes(5000, seed: 2), in: store).artifact.digest
        #expect(try store.open(digest).read(atOffset: 0, upTo: .max).count == 1000)
    }

    @Test func theSameBytesTwiceAreOneFile() throws {
        let directory = TemporaryDirectory()
        let store = try ModuleStore.open(directory: directory.path)
        let bytes = StoreFixtures.bytes(10_000, seed: 3)
        let first = try StoreFixtures.store(bytes, in: store, pieceBytes: 1000)
        let second = try StoreFixtures.store(bytes, in: store, pieceBytes: 777)
        #expect(!first.wasAlreadyStored)
        #expect(second == .init(artifact: first.artifact, wasAlreadyStored: true))
        #expect(try StoreFixtures.names(directory.file("sha256")) == [first.artifact.digest.hex])
        #expect(try StoreFixtures.names(directory.file("incoming")).isEmpty)
        #expect(store.usage == .init(artifactCount: 1, storedBytes: 10_000, uploadingBytes: 0))
    }

    @Test func anExpectedDigestThatDiffersIsRefusedAndNothingIsStored() throws {
        let directory = TemporaryDirectory()
        let store = try ModuleStore.open(directory: directory.path)
        let bytes = StoreFixtures.bytes(4096, seed: 4)
        let other = try #require(ArtifactDigest(hex: String(repeating: "ab", count: 32)))
        let upload = try store.beginUpload(declaredBytes: 4096)
        try upload.write(bytes)
        let refusal = StoreFixtures.error { () throws(ModuleStoreError) in _ = try upload.finish(expectedSHA256: other) }
        guard case let .digestMismatch(expected, actual)? = refusal else {
            Issue.record("expected a digest mismatch, got \(String(describing: refusal))")
            return
        }
        #expect(expected == other)
        #expect(refusal?.description == "the artifact's sha256 is \(actual), not the expected \(other); nothing was stored")
        #expect(try StoreFixtures.names(directory.file("sha256")).isEmpty)
        #expect(try StoreFixtures.names(directory.file("incoming")).isEmpty)
        #expect(store.usage == .init(artifactCount: 0, storedBytes: 0, uploadingBytes: 0))
        #expect(throws: ModuleStoreError.uploadClosed) { try upload.write([1]) }

        let again = try store.beginUpload()
        try again.write(bytes)
        #expect(try again.finish(expectedSHA256: actual).artifact.digest == actual)
    }

    @Test func abortAndReleasingAnUnfinishedUploadLeaveNothing() throws {
        let directory = TemporaryDirectory()
        let store = try ModuleStore.open(directory: directory.path)
        let upload = try store.beginUpload()
        try upload.write(StoreFixtures.bytes(8192, seed: 5))
        #expect(try StoreFixtures.names(directory.file("incoming")).count == 1)
        #expect(store.usage.uploadingBytes == 8192)
        upload.abort()
        upload.abort()
        #expect(throws: ModuleStoreError.uploadClosed) { try upload.finish() }
        #expect(try StoreFixtures.names(directory.file("incoming")).isEmpty)

        do {
            let released = try store.beginUpload(declaredBytes: 100_000)
            try released.write(StoreFixtures.bytes(8192, seed: 6))
            #expect(store.usage.uploadingBytes == 100_000)
        }
        #expect(try StoreFixtures.names(directory.file("incoming")).isEmpty)
        #expect(try StoreFixtures.names(directory.file("sha256")).isEmpty)
        #expect(store.usage == .init(artifactCount: 0, storedBytes: 0, uploadingBytes: 0))
    }

    @Test func collectRemovesTheCandidatesAndTheRemovalsLastAcrossAReopen() throws {
        let directory = TemporaryDirectory()
        var store = try ModuleStore.open(directory: directory.path)
        let digests = try (0..<3).map { try StoreFixtures.store(StoreFixtures.bytes(1000 + $0, seed: 10 + UInt64($0)), in: store) }
            .map(\.artifact)
        let placements = store.placements()
        #expect(Set(placements.values).count == 3, "each placement is its own")
        let candidates = placements.filter { $0.key != digests[1].digest }
        let removed = try store.collect(candidates)
        #expect(removed == [digests[0], digests[2]].sorted { $0.digest < $1.digest })
        #expect(try StoreFixtures.names(directory.file("sha256")) == [digests[1].digest.hex])
        #expect(store.usage == .init(artifactCount: 1, storedBytes: 1001, uploadingBytes: 0))
        #expect(try store.collect(candidates).isEmpty)
        #expect(throws: ModuleStoreError.notFound(digests[0].digest)) { try store.open(digests[0].digest) }
        store.close()

        store = try ModuleStore.open(directory: directory.path)
        #expect(store.artifacts() == [digests[1]])
        #expect(store.placements() == [digests[1].digest: 0], "found at open")
        #expect(try store.collect(store.placements()) == [digests[1]])
        #expect(store.artifacts().isEmpty)
    }

    /// The same bytes stored again after the caller looked change the placement, so the caller's
    /// removal of them (decided while no record named them) keeps them.
    @Test func anArtifactStoredAgainSinceTheCallerLookedIsKept() throws {
        let directory = TemporaryDirectory()
        let store = try ModuleStore.open(directory: directory.path)
        let bytes = StoreFixtures.bytes(2000, seed: 3)
        let artifact = try StoreFixtures.store(bytes, in: store).artifact
        let seen = store.placements()
        #expect(try StoreFixtures.store(bytes, in: store).wasAlreadyStored)
        #expect(try store.collect(seen).isEmpty)
        #expect(store.artifacts() == [artifact])
        #expect(try store.collect(store.placements()) == [artifact])
    }

    @Test func verifyFindsAStoredFileWhoseBytesChanged() throws {
        let directory = TemporaryDirectory()
        let store = try ModuleStore.open(directory: directory.path)
        let bytes = StoreFixtures.bytes(3 << 20, seed: 7)
        let digest = try StoreFixtures.store(bytes, in: store, pieceBytes: 65_536).artifact.digest
        try store.verify(digest)
        var changed = bytes
        changed[2_000_000] ^= 0x01
        try StoreFixtures.write(changed, to: store.path(of: digest))
        let refusal = StoreFixtures.error { () throws(ModuleStoreError) in try store.verify(digest) }
        guard case let .corrupt(named, actual)? = refusal else {
            Issue.record("expected corrupt, got \(String(describing: refusal))")
            return
        }
        #expect(named == digest && actual != digest)
        let missing = try #require(ArtifactDigest(hex: String(repeating: "0", count: 64)))
        #expect(throws: ModuleStoreError.notFound(missing)) { try store.verify(missing) }
    }

    @Test func aSecondOpenOfTheSameDirectoryIsRefused() throws {
        let directory = TemporaryDirectory()
        let store = try ModuleStore.open(directory: directory.path)
        let refusal = StoreFixtures.error { () throws(ModuleStoreError) in _ = try ModuleStore.open(directory: directory.path) }
        #expect(refusal == .file(.locked(path: directory.file("lock"), holderPid: getpid())))
        store.close()
        _ = try ModuleStore.open(directory: directory.path)
    }

    @Test func aDigestIsExactly64LowercaseHexDigits() {
        let hex = String(repeating: "0123456789abcdef", count: 4)
        #expect(ArtifactDigest(hex: hex)?.hex == hex)
        #expect(ArtifactDigest(hex: hex.uppercased()) == nil)
        #expect(ArtifactDigest(hex: String(hex.dropLast())) == nil)
        #expect(ArtifactDigest(hex: hex + "0") == nil)
        #expect(ArtifactDigest(hex: String(hex.dropLast()) + "g") == nil)
        #expect(ArtifactDigest(bytes: [UInt8](repeating: 1, count: 31)) == nil)
    }
}
