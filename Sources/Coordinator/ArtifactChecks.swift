import Fleet
import Glibc
import Locking
import ModuleArchive
import Modules
import Observability
import Storage
import Telemetry
import Transport
import Wire

/// The pass that makes a stored artifact ready to serve, shared by the peer port's
/// `ArtifactServer` and the agent port's `AgentArtifactServer` (Docs/MODULES.md): on the disk
/// thread, the artifact is opened and, the first time, read whole, checking its sha256 and
/// computing the CRC-32C of the bytes from the transfer's start. What a pass found is kept per
/// digest (artifacts never change, so a retry or another asker needs no second hash): once an
/// artifact is known sound, a transfer from 0 uses the whole CRC-32C it kept and one from an
/// offset (a resume) reads only the bytes from there, for their CRC-32C. An artifact that no longer
/// hashes to its name is logged as an error, counted (`hotswap_module_artifacts_corrupt_total`)
/// and refused `unreadable` from then on. At most `checksMaximum` digests are remembered. Safe
/// from any thread.
final class ArtifactChecks: Sendable {
    static let checksMaximum = FleetState.moduleVersionsMaximum

    /// What a pass found for a digest.
    private enum Check {
        /// Its sha256 matched; the CRC-32C of the whole artifact.
        case sound(UInt32)
        case corrupt
    }

    /// What the disk thread's pass found. The reader passes from the disk thread to the asker's
    /// loop once, through the job's answer.
    enum Prepared: @unchecked Sendable {
        /// `checksum` is the CRC-32C from the transfer's start; `whole` the whole artifact's, when
        /// this pass computed it.
        case ready(StoredArtifactReader, checksum: UInt32, whole: UInt32?)
        case failed(ModuleStoreError)
        /// The transfer would start past the artifact's end.
        case beyondEnd
        /// The coordinator is stopping, or the asker went (the pass was cancelled).
        case stopping
    }

    /// What to answer an asker with once its pass ended.
    enum Outcome {
        case ready(StoredArtifactReader, checksum: UInt32)
        case refused(ArtifactRefusal.Reason)
    }

    let uploads: ModuleUploads
    private let checks = Locked<[ArtifactDigest: Check]>([:])
    private let corruptFound: Counter

    init(uploads: ModuleUploads, metrics: MetricsRegistry) {
        self.uploads = uploads
        corruptFound = metrics.counter(
            "hotswap_module_artifacts_corrupt_total",
            help: "Stored module artifacts found not to hash to their name when about to serve them (never served).")
    }

    /// The refusal `request` gets before any pass: `notHeld` unless a record names its sha256
    /// (`recordedBytes`, the size that record names) and the store holds it, `unreadable` once found
    /// corrupt, `badOffset` when its offset is past that size; nil when it may be served, from
    /// `start(of:)`.
    func refusal(of request: ArtifactRequest, recordedBytes: UInt64?) -> ArtifactRefusal.Reason? {
        guard let recordedBytes, let digest = ArtifactDigest(bytes: request.sha256), uploads.store.contains(digest) else {
            return .notHeld
        }
        if case .corrupt = checks.withLock({ $0[digest] }) { return .unreadable }
        guard request.offset <= recordedBytes, Self.start(of: request) != nil else { return .badOffset }
        return nil
    }

    /// Where in the file a transfer for `request` starts; nil for an offset no file offset can name
    /// (over `Int64.max`: an agent or a member may send any 64-bit value).
    static func start(of request: ArtifactRequest) -> Int64? {
        Int64(exactly: request.offset)
    }

    /// Queues the pass for `digest` from byte `start` on the disk thread; `answer` runs on `loop`
    /// (nil when the uploads stop first). The pass ends early, `stopping`, once the coordinator
    /// stops or `isCancelled` turns true (its asker went). False when the disk thread's queue is full
    /// or stopped.
    func prepare(_ digest: ArtifactDigest, from start: Int64, on loop: EventLoop,
                 isCancelled: @escaping @Sendable () -> Bool = { false },
                 answer: @escaping @Sendable (Prepared?) -> Void) -> Bool {
        var known: UInt32?
        if case let .sound(checksum) = checks.withLock({ $0[digest] }) { known = checksum }
        let store = uploads.store, uploads = self.uploads
        return uploads.run(on: loop, { [known] in
            Self.prepare(digest, from: start, known: known, in: store, isStopping: { uploads.isStopping || isCancelled() })
        }, answer: answer)
    }

    /// Keeps what a pass found and says what to answer `asker` (a member or a node, for the log) with.
    func outcome(of answer: Prepared?, sha256: [UInt8], asker: String, logger: Logger) -> Outcome {
        let hex = HexText.lowercase(sha256)
        switch answer {
        case nil, .stopping: return .refused(.busy)
        case .beyondEnd: return .refused(.badOffset)
        case let .failed(.corrupt(digest, actual)):
            remember(digest, .corrupt)
            corruptFound.increment()
            logger.error("module artifact corrupt on this coordinator's disk: it is never served; upload it again",
                         ["asker": asker, "sha256": hex, "actual_sha256": actual.hex, "path": uploads.store.path(of: digest)])
            return .refused(.unreadable)
        case let .failed(error):
            logger.warning("module artifact unreadable; request refused", ["asker": asker, "sha256": hex, "error": "\(error)"])
            if case .notFound = error { return .refused(.notHeld) }
            return .refused(.unreadable)
        case let .ready(reader, checksum, whole):
            if let whole { remember(reader.digest, .sound(whole)) }
            return .ready(reader, checksum: checksum)
        }
    }

    /// Keeps what a pass found, forgetting everything else once `checksMaximum` are kept (the
    /// records name at most that many, so it happens only as the records change).
    private func remember(_ digest: ArtifactDigest, _ check: Check) {
        checks.withLock { checks in
            if checks[digest] == nil, checks.count >= Self.checksMaximum { checks.removeAll() }
            checks[digest] = check
        }
    }

    /// On the disk thread: opens the artifact and, unless its whole checksum is `known` (it was
    /// found sound), reads it whole, checking its sha256; a known sound one is read only from
    /// `start`, for the CRC-32C of those bytes, or not at all from 0. Between pieces it checks
    /// whether to stop.
    private static func prepare(_ digest: ArtifactDigest, from start: Int64, known: UInt32?, in store: ModuleStore,
                                isStopping: () -> Bool) -> Prepared {
        do throws(ModuleStoreError) {
            let reader = try store.open(digest)
            guard start >= 0, start <= reader.byteCount else { return .beyondEnd }
            if let known {
                if start == 0 { return .ready(reader, checksum: known, whole: nil) }
                guard let checksum = try checksum(of: reader, from: start, isStopping: isStopping) else { return .stopping }
                return .ready(reader, checksum: checksum, whole: nil)
            }
            var whole: UInt32 = 0, fromStart: UInt32 = 0
            let finished = try store.verify(digest, isCancelled: isStopping) { offset, piece in
                whole = CRC32C.checksum(piece, continuing: whole)
                let end = offset + Int64(piece.count)
                guard end > start else { return }
                let skip = Int(max(0, start - offset))
                fromStart = skip == 0 ? CRC32C.checksum(piece, continuing: fromStart)
                    : CRC32C.checksum(Array(piece[skip...]), continuing: fromStart)
            }
            return finished ? .ready(reader, checksum: fromStart, whole: whole) : .stopping
        } catch {
            return .failed(error)
        }
    }

    /// The CRC-32C of `reader`'s bytes from `start` to its end, read in the store's pieces; nil
    /// when `isStopping` turned true between two. A file shorter than it was opened is an error.
    private static func checksum(of reader: StoredArtifactReader, from start: Int64,
                                 isStopping: () -> Bool) throws(ModuleStoreError) -> UInt32? {
        var checksum: UInt32 = 0, offset = start
        while offset < reader.byteCount {
            if isStopping() { return nil }
            let piece = try reader.read(atOffset: offset, upTo: Int(min(Int64(Int.max), reader.byteCount - offset)))
            guard !piece.isEmpty else {
                throw .file(.system(operation: "read (the artifact ended early)", path: reader.path, errno: EIO))
            }
            checksum = CRC32C.checksum(piece, continuing: checksum)
            offset += Int64(piece.count)
        }
        return checksum
    }
}
