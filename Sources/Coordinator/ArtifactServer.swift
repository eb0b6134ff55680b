import Cluster
import Consensus
import Fleet
import Locking
import ModuleArchive
import Modules
import Observability
import Storage
import Telemetry
import Transport
import Wire

/// Answers other members' `artifactRequest`s (Docs/MODULES.md, "Artifacts on every
/// coordinator"), on the Raft loop: an artifact a record names and the store holds is sent as a
/// transfer of purpose `artifact` on the link to the asker, read from the store one chunk at a
/// time as the link takes them; anything else is answered with an `artifactRefusal`. Before its
/// first transfer an artifact is read once whole on the disk thread, which checks its sha256 and
/// computes the transfer's CRC-32C in the same pass; the checksum of a sound artifact is kept
/// (artifacts never change), so a retry or another member is served without a second pass. An
/// artifact that no longer hashes to its name is never served: logged as an error, counted
/// (`hotswap_module_artifacts_corrupt_total`) and refused `unreadable` from then on. Bounded:
/// `preparesMaximum` passes at a time (none of the API's upload slots), one artifact transfer
/// per link, `checksMaximum` digests remembered.
final class ArtifactServer: @unchecked Sendable {
    static let preparesMaximum = 2
    static let checksMaximum = FleetState.moduleVersionsMaximum

    /// What the pass found for a digest.
    private enum Check {
        /// Its sha256 matched; the CRC-32C of the whole artifact.
        case sound(UInt32)
        case corrupt
    }

    private let service: RaftService
    private let uploads: ModuleUploads
    private let corruptFound: Counter
    /// Members whose artifact the disk thread is preparing.
    private var preparing: Set<NodeID> = []
    private var checks: [ArtifactDigest: Check] = [:]

    init(service: RaftService, uploads: ModuleUploads, metrics: MetricsRegistry) {
        self.service = service
        self.uploads = uploads
        corruptFound = metrics.counter(
            "hotswap_module_artifacts_corrupt_total",
            help: "Stored module artifacts found not to hash to their name when about to serve them to another member (never served).")
    }

    /// Serves `request` from member `peer`; on the Raft loop.
    func serve(_ request: ArtifactRequest, to peer: ClusterTopology.Member) {
        service.loop.preconditionInLoop()
        let isRecorded = service.view.modules.values.contains { $0.values.contains { $0.sha256 == request.sha256 } }
        guard isRecorded, let digest = ArtifactDigest(bytes: request.sha256), uploads.store.contains(digest) else {
            return refuse(request, .notHeld, to: peer)
        }
        if case .corrupt = checks[digest] { return refuse(request, .unreadable, to: peer) }
        guard let outbox = service.peers.outbox(to: peer.id), !preparing.contains(peer.id),
              preparing.count < Self.preparesMaximum else {
            return refuse(request, .busy, to: peer)
        }
        // A member asks again only after giving up on what it asked before: a transfer not begun is dropped.
        outbox.dropArtifactNotBegun()
        guard !outbox.hasArtifactTransfer else { return refuse(request, .busy, to: peer) }
        preparing.insert(peer.id)
        let store = uploads.store, uploads = self.uploads, start = Int64(request.offset)
        var known: UInt32?
        if case let .sound(checksum) = checks[digest] { known = checksum }
        let bound = LoopBound(self, loop: service.loop)
        let queued = uploads.run(on: service.loop, { [known] in
            Self.prepare(digest, from: start, known: known, in: store, isStopping: { uploads.isStopping })
        }, answer: { (answer: Prepared?) in
            bound.value.prepared(answer, request, to: peer)
        })
        if !queued {
            preparing.remove(peer.id)
            refuse(request, .busy, to: peer)
        }
    }

    /// What the disk thread's pass found. The reader passes from the disk thread to the Raft loop
    /// once, through the job's answer.
    private enum Prepared: @unchecked Sendable {
        /// `checksum` is the CRC-32C from the transfer's start; `whole` the whole artifact's, when
        /// this pass computed it.
        case ready(StoredArtifactReader, checksum: UInt32, whole: UInt32?)
        case failed(ModuleStoreError)
        /// The transfer would start past the artifact's end.
        case beyondEnd
        case stopping
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

    private func prepared(_ answer: Prepared?, _ request: ArtifactRequest, to peer: ClusterTopology.Member) {
        preparing.remove(peer.id)
        let hex = SignedMessage.hex(request.sha256)
        switch answer {
        case nil, .stopping: refuse(request, .busy, to: peer)
        case .beyondEnd: refuse(request, .badOffset, to: peer)
        case let .failed(.corrupt(digest, actual)):
            remember(digest, .corrupt)
            corruptFound.increment()
            service.logger.error("module artifact corrupt on this coordinator's disk: it is never served; upload it again",
                                 ["peer": peer.name, "sha256": hex, "actual_sha256": actual.hex, "path": uploads.store.path(of: digest)])
            refuse(request, .unreadable, to: peer)
        case let .failed(error):
            service.logger.warning("module artifact unreadable; request refused", ["peer": peer.name, "sha256": hex, "error": "\(error)"])
            if case .notFound = error { return refuse(request, .notHeld, to: peer) }
            refuse(request, .unreadable, to: peer)
        case let .ready(reader, checksum, whole):
            if let whole { remember(reader.digest, .sound(whole)) }
            let start = Int64(request.offset)
            guard service.peers.outbox(to: peer.id)?.offerArtifact(reader, start: start, checksum: checksum) == true else {
                return refuse(request, .busy, to: peer)
            }
            service.logger.info("module artifact transfer queued", ["peer": peer.name, "sha256": reader.digest.hex,
                                                                    "bytes": "\(reader.byteCount - start)"])
        }
    }

    /// Keeps what a pass found, forgetting everything else once `checksMaximum` are kept (the
    /// records name at most that many, so it happens only as the records change).
    private func remember(_ digest: ArtifactDigest, _ check: Check) {
        if checks[digest] == nil, checks.count >= Self.checksMaximum { checks.removeAll() }
        checks[digest] = check
    }

    private func refuse(_ request: ArtifactRequest, _ reason: ArtifactRefusal.Reason, to peer: ClusterTopology.Member) {
        let refusal = ArtifactRefusal(sha256: request.sha256, reason: reason)
        service.peers.send(Frame(kind: FrameKind.artifactRefusal.rawValue, payload: ArtifactRequestCodec.encode(refusal)),
                           to: peer.id, what: "module artifact refusal")
    }
}
