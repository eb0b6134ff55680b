import FileSystem
import Glibc
import Locking

/// The coordinator's content-addressed artifact store (Docs/MODULES.md, "Storage on the
/// coordinator"): each artifact is the file `sha256/<64 lowercase hex>` of its bytes, so the same
/// bytes are stored once and a name says what the file must hash to. Uploads stream into
/// `incoming/` and appear under their digest only complete and fsync'd. Bounded: one artifact's
/// size, the total of stored and arriving bytes, the number stored. Which artifacts to keep is the
/// caller's decision (`collect`); the store does the file work. One process opens a directory at a
/// time (a `flock` on `lock`), so what `incoming/` holds at open is a crash's leftovers.
public final class ModuleStore: Sendable {
    /// A stored artifact: its digest and size.
    public struct Artifact: Hashable, Sendable {
        public let digest: ArtifactDigest
        public let byteCount: Int64
    }

    /// What the store holds and what uploads under way have claimed.
    public struct Usage: Equatable, Sendable {
        public let artifactCount: Int
        public let storedBytes: Int64
        public let uploadingBytes: Int64
    }

    struct State {
        var artifacts: [ArtifactDigest: Int64]
        var storedBytes: Int64
        var reservedBytes: Int64
        /// Each stored artifact's placement (`placements()`); 0 for those found at open.
        var placements: [ArtifactDigest: UInt64] = [:]
        var lastPlacement: UInt64 = 0
    }

    /// Entries listed in one of the store's directories before it is refused.
    static let directoryEntriesMaximum = 1 << 16
    static let directoryMode: mode_t = 0o700
    static let fileMode: mode_t = 0o600
    static let uploadPrefix = "upload-"

    public let directory: String
    public let limits: ModuleStoreLimits
    /// What opening found: crash leftovers it removed, names it left alone.
    public let recovery: ModuleStoreRecovery
    let artifactsDirectory: String
    let incomingDirectory: String
    let state: Locked<State>
    private let lock: FileLock

    init(directory: String, limits: ModuleStoreLimits, recovery: ModuleStoreRecovery,
         artifacts: [ArtifactDigest: Int64], lock: FileLock) {
        self.directory = directory
        self.limits = limits
        self.recovery = recovery
        self.lock = lock
        artifactsDirectory = directory + "/sha256"
        incomingDirectory = directory + "/incoming"
        state = Locked(State(artifacts: artifacts, storedBytes: artifacts.values.reduce(0, +), reservedBytes: 0))
    }

    /// Releases the directory's lock; the store must not be used after.
    public func close() {
        lock.release()
    }

    /// The path of an artifact's file (whether or not it is stored).
    public func path(of digest: ArtifactDigest) -> String {
        "\(artifactsDirectory)/\(digest.hex)"
    }

    public func contains(_ digest: ArtifactDigest) -> Bool {
        state.withLock { $0.artifacts[digest] != nil }
    }

    /// Every stored artifact, by digest.
    public func artifacts() -> [Artifact] {
        state.withLock { state in state.artifacts.map { Artifact(digest: $0.key, byteCount: $0.value) } }
            .sorted { $0.digest < $1.digest }
    }

    public var usage: Usage {
        state.withLock { Usage(artifactCount: $0.artifacts.count, storedBytes: $0.storedBytes, uploadingBytes: $0.reservedBytes) }
    }

    /// Starts an upload. `declaredBytes` (a request's `Content-Length`) is checked against the
    /// bounds now, and reserved, so an upload that cannot fit is refused before its body is read.
    public func beginUpload(declaredBytes: Int64? = nil) throws(ModuleStoreError) -> ModuleUpload {
        if let declaredBytes, declaredBytes > limits.artifactBytesMaximum {
            throw .artifactTooLarge(maximumBytes: limits.artifactBytesMaximum)
        }
        let count = state.withLock { $0.artifacts.count }
        guard count < limits.artifactCountMaximum else { throw .tooManyArtifacts(maximum: limits.artifactCountMaximum) }
        let upload = try ModuleUpload.create(in: self)
        if let declaredBytes, declaredBytes > 0 { try upload.reserve(upTo: declaredBytes) }
        return upload
    }

    /// Claims `bytes` more of the total bound for an upload, or says why not.
    func reserve(_ bytes: Int64) -> ModuleStoreError? {
        state.withLock { state in
            let used = state.storedBytes + state.reservedBytes
            guard used + bytes <= limits.totalBytesMaximum else {
                return .storeFull(usedBytes: used, neededBytes: bytes, maximumBytes: limits.totalBytesMaximum)
            }
            state.reservedBytes += bytes
            return nil
        }
    }

    func release(_ bytes: Int64) {
        state.withLock { $0.reservedBytes -= bytes }
    }

    /// Puts a complete, fsync'd temporary file in place under `digest` (a hard link, which never
    /// replaces: when the name exists the bytes are already there) and counts its bytes as stored.
    /// Returns whether it is new; the caller removes the temporary name and releases its reservation.
    /// When the directory's fsync fails after the link, the artifact stays stored and the failure
    /// is thrown (an upload of the same bytes again finds it).
    func place(_ temporaryPath: String, digest: ArtifactDigest, byteCount: Int64) throws(ModuleStoreError) -> Bool {
        let destination = path(of: digest)
        let outcome = state.withLock { state -> Result<Bool, ModuleStoreError> in
            state.lastPlacement += 1
            guard state.artifacts[digest] == nil else {
                state.placements[digest] = state.lastPlacement
                return .success(false)
            }
            guard state.artifacts.count < limits.artifactCountMaximum else {
                return .failure(.tooManyArtifacts(maximum: limits.artifactCountMaximum))
            }
            guard link(temporaryPath, destination) == 0 else {
                // EEXIST here is a name the store did not count (a link, or a file put there since
                // open): refused rather than vouched for.
                return .failure(.writing("link to \(destination)", path: temporaryPath, errno: errno))
            }
            state.artifacts[digest] = byteCount
            state.placements[digest] = state.lastPlacement
            state.storedBytes += byteCount
            return .success(true)
        }
        let isNew = try outcome.get()
        if isNew {
            do { try Directory.sync(artifactsDirectory) } catch { throw .writing(error) }
        }
        return isNew
    }
}
