import Glibc
@testable import ModuleArchive
import Testing
import TestSupport

/// The module store's bounds, a crash's leftovers, and a real full disk (a tmpfs the test mounts).
struct ModuleStoreBoundsTests {
    @Test func anArtifactOverItsBoundIsRefusedTheMomentItPassesAndLeavesNothing() throws {
        let directory = TemporaryDirectory()
        let store = try ModuleStore.open(directory: directory.path, limits: ModuleStoreLimits(artifactBytesMaximum: 1000))
        let upload = try store.beginUpload()
        try upload.write(StoreFixtures.bytes(600, seed: 1))
        try upload.write(StoreFixtures.bytes(400, seed: 2))
        #expect(throws: ModuleStoreError.artifactTooLarge(maximumBytes: 1000)) { try upload.write([0]) }
        #expect(try StoreFixtures.names(directory.file("incoming")).isEmpty)
        #expect(try StoreFixtures.names(directory.file("sha256")).isEmpty)
        #expect(store.usage == .init(artifactCount: 0, storedBytes: 0, uploadingBytes: 0))
        #expect(throws: ModuleStoreError.uploadClosed) { try upload.write([0]) }
        #expect(ModuleStoreError.artifactTooLarge(maximumBytes: 1000).description
            == "the artifact is larger than 1000 bytes; the upload was discarded")

        #expect(throws: ModuleStoreError.artifactTooLarge(maximumBytes: 1000)) { try store.beginUpload(declaredBytes: 1001) }
        #expect(try StoreFixtures.names(directory.file("incoming")).isEmpty)
        #expect(try StoreFixtures.store(StoreFixtures.bytes(1000, seed: 3), in: store).artifact.byteCount == 1000)
    }

    @Test func theTotalBoundCountsStoredBytesAndUploadsUnderWay() throws {
        let directory = TemporaryDirectory()
        let store = try ModuleStore.open(directory: directory.path, limits: ModuleStoreLimits(totalBytesMaximum: 3000))
        try StoreFixtures.store(StoreFixtures.bytes(1000, seed: 1), in: store)
        let arriving = try store.beginUpload(declaredBytes: 1500)
        #expect(throws: ModuleStoreError.storeFull(usedBytes: 2500, neededBytes: 501, maximumBytes: 3000)) {
            try store.beginUpload(declaredBytes: 501)
        }
        let other = try store.beginUpload()
        try other.write(StoreFixtures.bytes(500, seed: 2))
        #expect(throws: ModuleStoreError.storeFull(usedBytes: 3000, neededBytes: 1, maximumBytes: 3000)) { try other.write([1]) }
        #expect(try StoreFixtures.names(directory.file("incoming")).count == 1, "only the declared upload's file is left")
        arriving.abort()
        #expect(store.usage == .init(artifactCount: 1, storedBytes: 1000, uploadingBytes: 0))
        #expect(ModuleStoreError.storeFull(usedBytes: 3000, neededBytes: 1, maximumBytes: 3000).description
            == "the module store is full: 3000 of its 3000 bytes are used or being uploaded, and 1 more would pass the bound; "
            + "remove versions no environment runs and retry")
    }

    @Test func theArtifactCountIsBoundedButTheSameBytesAreNotANewArtifact() throws {
        let directory = TemporaryDirectory()
        let store = try ModuleStore.open(directory: directory.path, limits: ModuleStoreLimits(artifactCountMaximum: 2))
        let first = StoreFixtures.bytes(100, seed: 1)
        try StoreFixtures.store(first, in: store)
        let pending = try store.beginUpload()
        try pending.write(StoreFixtures.bytes(100, seed: 2))
        try StoreFixtures.store(StoreFixtures.bytes(100, seed: 3), in: store)
        #expect(throws: ModuleStoreError.tooManyArtifacts(maximum: 2)) { try pending.finish() }
        #expect(throws: ModuleStoreError.tooManyArtifacts(maximum: 2)) { try store.beginUpload() }
        #expect(try StoreFixtures.names(directory.file("incoming")).isEmpty)
        #expect(store.usage.artifactCount == 2)
    }

    @Test func openingRemovesACrashsTemporaryFilesAndReportsButKeepsAnythingElse() throws {
        let directory = TemporaryDirectory()
        let stored = try ModuleStore.open(directory: directory.path)
        let bytes = StoreFixtures.bytes(2048, seed: 1)
        let digest = try StoreFixtures.store(bytes, in: stored).artifact.digest
        let interrupted = try stored.beginUpload()
        try interrupted.write(StoreFixtures.bytes(4096, seed: 2))
        stored.close()
        // What a crash leaves: the interrupted upload's file (still open here, as a dead process's
        // would not be), another, and names the store did not make.
        try StoreFixtures.write([1, 2, 3], to: directory.file("incoming/upload-0123abcd"))
        try StoreFixtures.write([4], to: directory.file("incoming/keep-me"))
        try StoreFixtures.write([5], to: directory.file("sha256/README"))
        try StoreFixtures.write([6], to: directory.file("sha256/" + digest.hex.uppercased()))
        #expect(symlink(digest.hex, directory.file("sha256/" + String(repeating: "1", count: 64))) == 0)

        let reopened = try ModuleStore.open(directory: directory.path)
        let leftovers = [interrupted.temporaryPath.split(separator: "/").last.map(String.init)!, "upload-0123abcd"].sorted()
        #expect(reopened.recovery.removedLeftovers == leftovers)
        let link = "sha256/" + String(repeating: "1", count: 64)
        let unexpected = ["incoming/keep-me", link, "sha256/" + digest.hex.uppercased(), "sha256/README"]
        #expect(reopened.recovery.unexpectedNames == unexpected.sorted())
        #expect(try StoreFixtures.names(directory.file("incoming")) == ["keep-me"])
        #expect(try StoreFixtures.names(directory.file("sha256")).count == 4)
        #expect(reopened.artifacts() == [.init(digest: digest, byteCount: 2048)])
        #expect(try StoreFixtures.contents(reopened.path(of: digest)) == bytes)
        withExtendedLifetime(interrupted) {}
    }

    @Test func aNameTheStoreDidNotCountIsNotTakenForTheArtifact() throws {
        let directory = TemporaryDirectory()
        let bytes = StoreFixtures.bytes(500, seed: 8)
        let digest = try StoreFixtures.store(bytes, in: ModuleStore.open(directory: directory.file("other"))).artifact.digest
        let store = try ModuleStore.open(directory: directory.file("store"))
        #expect(symlink("/etc/passwd", store.path(of: digest)) == 0)
        let upload = try store.beginUpload()
        try upload.write(bytes)
        let temporaryPath = upload.temporaryPath
        let refusal = StoreFixtures.error { () throws(ModuleStoreError) in _ = try upload.finish() }
        #expect(refusal == .file(.system(operation: "link to \(store.path(of: digest))", path: temporaryPath, errno: EEXIST)))
        #expect(!store.contains(digest))
        #expect(try StoreFixtures.names(directory.file("store/incoming")).isEmpty)
    }

    @Test func aFullDiskIsDiskFullNamingTheFileAndLeavesNoPartialFile() throws {
        let mount = try TmpfsMount.makeOrCancel(sizeBytes: 256 << 10)
        defer { mount.unmount() }
        let store = try ModuleStore.open(directory: mount.path + "/modules")
        let upload = try store.beginUpload()
        var failure: ModuleStoreError?
        for piece in 0..<64 {
            do throws(ModuleStoreError) {
                try upload.write(StoreFixtures.bytes(16 << 10, seed: UInt64(piece)))
            } catch {
                failure = error
                break
            }
        }
        #expect(failure == .diskFull(path: upload.temporaryPath))
        #expect(failure?.description == "no space left on the device holding \(upload.temporaryPath); "
            + "the upload was discarded: free space and retry")
        #expect(try StoreFixtures.names(mount.path + "/modules/incoming").isEmpty)
        #expect(try StoreFixtures.names(mount.path + "/modules/sha256").isEmpty)
        #expect(store.usage == .init(artifactCount: 0, storedBytes: 0, uploadingBytes: 0))

        let small = StoreFixtures.bytes(64 << 10, seed: 99)
        let finished = try StoreFixtures.store(small, in: store)
        #expect(try StoreFixtures.contents(store.path(of: finished.artifact.digest)) == small)
    }
}
