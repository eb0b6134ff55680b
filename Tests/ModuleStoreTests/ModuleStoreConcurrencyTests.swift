import Dispatch
import Locking
@testable import ModuleArchive
import Testing
import TestSupport

/// Uploads from many threads at once: the bytes of each artifact stored once, the accounting
/// exact, nothing left in `incoming/`.
struct ModuleStoreConcurrencyTests {
    static let uploads = 24
    static let distinctArtifacts = 4

    @Test func concurrentUploadsOfTheSameBytesStoreOneFileEach() throws {
        let directory = TemporaryDirectory()
        let store = try ModuleStore.open(directory: directory.path)
        let contents = (0..<Self.distinctArtifacts).map { StoreFixtures.bytes(50_000 + $0, seed: UInt64($0)) }
        let outcomes = Locked<[Result<ModuleUpload.Finished, ModuleStoreError>]>([])
        DispatchQueue.concurrentPerform(iterations: Self.uploads) { index in
            let outcome: Result<ModuleUpload.Finished, ModuleStoreError>
            do throws(ModuleStoreError) {
                outcome = .success(try Self.upload(contents[index % Self.distinctArtifacts], to: store, pieceBytes: 1000 + index))
            } catch {
                outcome = .failure(error)
            }
            outcomes.withLock { $0.append(outcome) }
        }
        let finished = try outcomes.withLock { try $0.map { try $0.get() } }
        #expect(finished.count == Self.uploads)
        #expect(finished.filter { !$0.wasAlreadyStored }.count == Self.distinctArtifacts)
        #expect(Set(finished.map(\.artifact)).count == Self.distinctArtifacts)
        #expect(try StoreFixtures.names(directory.file("sha256")).count == Self.distinctArtifacts)
        #expect(try StoreFixtures.names(directory.file("incoming")).isEmpty)
        let total = Int64(contents.map(\.count).reduce(0, +))
        #expect(store.usage == .init(artifactCount: Self.distinctArtifacts, storedBytes: total, uploadingBytes: 0))
        for artifact in store.artifacts() { try store.verify(artifact.digest) }
    }

    static func upload(_ bytes: [UInt8], to store: ModuleStore, pieceBytes: Int) throws(ModuleStoreError) -> ModuleUpload.Finished {
        let upload = try store.beginUpload()
        for start in stride(from: 0, to: bytes.count, by: pieceBytes) {
            try upload.write(bytes[start..<min(start + pieceBytes, bytes.count)])
        }
        return try upload.finish()
    }
}
