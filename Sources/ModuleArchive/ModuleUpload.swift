import FileSystem
import Glibc

/// One artifact arriving in pieces (Docs/MODULES.md, "Storage on the coordinator"): each piece is
/// checked against the store's bounds, written to a temporary file of its own in `incoming/`
/// (created `O_EXCL`, 0600) and hashed on the way, so the artifact is never whole in memory.
/// `finish` puts it in place under its sha256; `abort`, a refusal, a failure or releasing the
/// upload unfinished removes the temporary file, so an interrupted upload leaves nothing visible.
/// One owner; not thread-safe.
public final class ModuleUpload {
    /// What `finish` stored.
    public struct Finished: Equatable, Sendable {
        public let artifact: ModuleStore.Artifact
        /// The same bytes were stored already; this upload's copy was discarded.
        public let wasAlreadyStored: Bool
    }

    /// Names tried for a temporary file before giving up (a clash needs a 64-bit random repeat).
    static let creationAttemptsMaximum = 8

    public let temporaryPath: String
    public private(set) var byteCount: Int64 = 0
    private let store: ModuleStore
    private let digest: SHA256Digest
    private var descriptor: Int32
    private var reservedBytes: Int64 = 0

    private init(store: ModuleStore, temporaryPath: String, descriptor: Int32, digest: SHA256Digest) {
        self.store = store
        self.temporaryPath = temporaryPath
        self.descriptor = descriptor
        self.digest = digest
    }

    deinit {
        discard()
    }

    static func create(in store: ModuleStore) throws(ModuleStoreError) -> ModuleUpload {
        let digest: SHA256Digest
        do { digest = try SHA256Digest() } catch { throw .crypto(error) }
        var generator = SystemRandomNumberGenerator()
        for _ in 1...creationAttemptsMaximum {
            let suffix = String(generator.next() as UInt64, radix: 16)
            let path = "\(store.incomingDirectory)/\(ModuleStore.uploadPrefix)\(suffix)"
            let (descriptor, code) = InterruptedCall.retrying {
                open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, ModuleStore.fileMode)
            }
            if descriptor < 0 && code == EEXIST { continue }
            guard descriptor >= 0 else { throw .writing("create", path: path, errno: code) }
            let upload = ModuleUpload(store: store, temporaryPath: path, descriptor: descriptor, digest: digest)
            guard fchmod(descriptor, ModuleStore.fileMode) == 0 else { throw .file(.system(operation: "chmod", path: path, errno: errno)) }
            return upload
        }
        throw .file(.system(operation: "create (every name tried exists)", path: store.incomingDirectory, errno: EEXIST))
    }

    /// Appends `bytes`: refused (and the upload discarded) the moment the artifact would pass its
    /// bound or the store its total, or when the disk is full.
    public func write(_ bytes: ArraySlice<UInt8>) throws(ModuleStoreError) {
        guard descriptor >= 0 else { throw .uploadClosed }
        do throws(ModuleStoreError) {
            let next = byteCount + Int64(bytes.count)
            let maximum = store.limits.artifactBytesMaximum
            guard next <= maximum else { throw .artifactTooLarge(maximumBytes: maximum) }
            try reserve(upTo: next)
            do { try DescriptorIO.writeAll(descriptor, Array(bytes), path: temporaryPath) } catch { throw .writing(error) }
            digest.update(bytes)
            byteCount = next
        } catch {
            discard()
            throw error
        }
    }

    public func write(_ bytes: [UInt8]) throws(ModuleStoreError) {
        try write(bytes[...])
    }

    /// Ends the upload: refused, with nothing stored, when `expectedSHA256` is given and differs;
    /// otherwise the file is fsync'd and linked as `sha256/<hex>` (discarded when those bytes are
    /// already stored), the directory fsync'd, and the temporary name removed.
    public func finish(expectedSHA256: ArtifactDigest? = nil) throws(ModuleStoreError) -> Finished {
        guard descriptor >= 0 else { throw .uploadClosed }
        defer { discard() }
        let sum: [UInt8]
        do { sum = try digest.finish() } catch { throw .crypto(error) }
        guard let actual = ArtifactDigest(bytes: sum) else { throw .crypto("sha256 gave \(sum.count) bytes") }
        if let expectedSHA256, expectedSHA256 != actual { throw .digestMismatch(expected: expectedSHA256, actual: actual) }
        guard fsync(descriptor) == 0 else { throw .writing("fsync", path: temporaryPath, errno: errno) }
        let isNew = try store.place(temporaryPath, digest: actual, byteCount: byteCount)
        return Finished(artifact: ModuleStore.Artifact(digest: actual, byteCount: byteCount), wasAlreadyStored: !isNew)
    }

    /// Discards the upload: its temporary file is removed. Calling it again does nothing.
    public func abort() {
        discard()
    }

    /// Claims the store's room for `total` bytes of this upload.
    func reserve(upTo total: Int64) throws(ModuleStoreError) {
        guard total > reservedBytes else { return }
        if let refusal = store.reserve(total - reservedBytes) {
            discard()
            throw refusal
        }
        reservedBytes = total
    }

    /// Closes and unlinks the temporary file and gives back the reservation. An unlink that fails
    /// leaves a leftover that the next open removes.
    private func discard() {
        guard descriptor >= 0 else { return }
        close(descriptor)
        descriptor = -1
        unlink(temporaryPath)
        store.release(reservedBytes)
        reservedBytes = 0
    }
}
