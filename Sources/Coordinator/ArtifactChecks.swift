import Fleet
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
/// thread, the artifact is opened and, unless its whole CRC-32C is already known and the transfer
/// starts at 0, read whole, checking its sha256 and computing the CRC-32C of the bytes from the
/// transfer's start. What a pass found is kept per digest (artifacts never change, so a retry or
/// another asker needs no second pass); an artifact that no longer hashes to its name is logged as
/// an error, counted (`hotswap_module_artifacts_corrupt_total`) and refused `unreadable` from then
/// on. At most `checksMaximum` digests are remembered. Safe from any thread.
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

    /// The refusal a request for `sha256` gets before any pass: `notHeld` unless a record names it
    /// (`isRecorded`) and the store holds it, `unreadable` once found corrupt; nil when it may be served.
    func refusal(of sha256: [UInt8], isRecorded: Bool) -> ArtifactRefusal.Reason? {
        guard isRecorded, let digest = ArtifactDigest(bytes: sha256), uploads.store.contains(digest) else { return .notHeld }
        if case .corrupt = checks.withLock({ $0[digest] }) { return .unreadable }
        return nil
    }

    /// Queues the pass for `digest` from byte `start` on the disk thread; `answer` runs on `loop`
    /// (nil when the uploads stop first). False when the disk thread's queue is full or stopped.
    func prepare(_ digest: ArtifactDigest, from start: Int64, on loop: EventLoop,
                 answer: @escaping @Sendable (Prepared?) -> Void) -> Bool {
        var known: UInt32?
        if case let .sound(checksum) = checks.withLock({ $0[digest] }) { known = checksum }
        let store = uploads.store, uploads = self.uploads
        return uploads.run(on: loop, { [known] in
            Self.prepare(digest, from: start, known: known, in: store, isStopping: { uploads.isStopping })
        }, answer: answer)
    }

    /// Keeps what a pass found and says what to answer `asker` (a member or a node, for the log) with.
    func outcome(of answer: Prepared?, sha256: [UInt8], asker: String, logger: Logger) -> Outcome {
        let hex = SignedMessage.hex(sha256)
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

    /// On the disk thread: opens the artifact and, unless its whole checksum is `known` and the
    /// transfer starts at 0, reads it whole, checking its sha256 and checking between pieces
    /// whether the coordinator is stopping.
    private static func prepare(_ digest: ArtifactDigest, from start: Int64, known: UInt32?, in store: ModuleStore,
                                isStopping: () -> Bool) -> Prepared {
        do throws(ModuleStoreError) {
            let reader = try store.open(digest)
            guard start <= reader.byteCount else { return .beyondEnd }
            if start == 0, let known { return .ready(reader, checksum: known, whole: nil) }
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
}
