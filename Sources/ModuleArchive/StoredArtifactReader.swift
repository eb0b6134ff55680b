import FileSystem
import Glibc

/// A stored artifact opened for reading in bounded pieces at any offset (serving it to a follower
/// or an agent, resuming where a fetch stopped). The descriptor stays valid if the artifact is
/// collected meanwhile. One owner; not thread-safe. Closed by `close()` or when released.
public final class StoredArtifactReader {
    public let digest: ArtifactDigest
    public let path: String
    /// The file's size when it was opened.
    public let byteCount: Int64
    private let pieceBytesMaximum: Int
    private var descriptor: Int32

    init(digest: ArtifactDigest, path: String, pieceBytesMaximum: Int) throws(ModuleStoreError) {
        let (descriptor, code) = InterruptedCall.retrying { Glibc.open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW) }
        guard descriptor >= 0 else {
            throw code == ENOENT ? .notFound(digest) : .file(.system(operation: "open", path: path, errno: code))
        }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            let code = errno
            Glibc.close(descriptor)
            throw .file(.system(operation: "fstat", path: path, errno: code))
        }
        guard status.st_mode & S_IFMT == S_IFREG else {
            Glibc.close(descriptor)
            throw .notRegularFile(path: path)
        }
        self.digest = digest
        self.path = path
        self.pieceBytesMaximum = pieceBytesMaximum
        self.descriptor = descriptor
        byteCount = Int64(status.st_size)
    }

    deinit {
        close()
    }

    /// Up to `count` bytes (at most the store's read piece) from `offset`; fewer only at the end.
    public func read(atOffset offset: Int64, upTo count: Int) throws(ModuleStoreError) -> [UInt8] {
        precondition(descriptor >= 0, "a read after close")
        precondition(offset >= 0 && count >= 0, "a read at a negative offset or of a negative count")
        do {
            return try DescriptorIO.read(descriptor, upTo: min(count, pieceBytesMaximum), atOffset: off_t(offset), path: path)
        } catch {
            throw .file(error)
        }
    }

    /// Asks the kernel to start reading `count` bytes from `offset` into its cache (advice only:
    /// a failure is ignored), so the reads that follow seldom wait for the disk.
    public func adviseWillNeed(fromOffset offset: Int64, count: Int64) {
        guard descriptor >= 0, offset >= 0, count > 0 else { return }
        _ = posix_fadvise(descriptor, off_t(offset), off_t(count), POSIX_FADV_WILLNEED)
    }

    public func close() {
        guard descriptor >= 0 else { return }
        Glibc.close(descriptor)
        descriptor = -1
    }
}

extension ModuleStore {
    /// Opens a stored artifact for reading.
    public func open(_ digest: ArtifactDigest) throws(ModuleStoreError) -> StoredArtifactReader {
        try StoredArtifactReader(digest: digest, path: path(of: digest), pieceBytesMaximum: limits.readPieceBytesMaximum)
    }

    /// Hashes a stored artifact again, in pieces, and refuses it (`corrupt`) when its bytes no
    /// longer match its name: for a periodic check, or before serving it to another member (which
    /// computes the transfer's checksum in the same pass, through `eachPiece`, given each piece
    /// and its offset). False, unchecked, when `isCancelled` turned true between two pieces.
    @discardableResult
    public func verify(_ digest: ArtifactDigest, isCancelled: () -> Bool = { false },
                       eachPiece: (Int64, [UInt8]) -> Void = { _, _ in }) throws(ModuleStoreError) -> Bool {
        let reader = try open(digest)
        let running: SHA256Digest
        do { running = try SHA256Digest() } catch { throw .crypto(error) }
        var offset: Int64 = 0
        while true {
            if isCancelled() { return false }
            let piece = try reader.read(atOffset: offset, upTo: limits.readPieceBytesMaximum)
            if piece.isEmpty { break }
            running.update(piece[...])
            eachPiece(offset, piece)
            offset += Int64(piece.count)
        }
        let sum: [UInt8]
        do { sum = try running.finish() } catch { throw .crypto(error) }
        guard let actual = ArtifactDigest(bytes: sum) else { throw .crypto("sha256 gave \(sum.count) bytes") }
        guard actual == digest else { throw .corrupt(digest, actual: actual) }
        return true
    }
}
