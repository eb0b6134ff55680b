import Cluster
import Consensus
import Locking
import ModuleArchive
import Modules
import Storage
import Transport
import Wire

/// Answers other members' `artifactRequest`s (Docs/MODULES.md, "Artifacts on every
/// coordinator"), on the Raft loop: an artifact a record names and the store holds is sent as a
/// transfer of purpose `artifact` on the link to the asker, read from the store one chunk at a
/// time as the link takes them; anything else is answered with an `artifactRefusal`. The
/// transfer's CRC-32C is computed first, on the disk thread (holding one upload slot while it
/// reads). At most one artifact transfer per link, queued, being prepared or under way.
final class ArtifactServer: @unchecked Sendable {
    private let service: RaftService
    private let uploads: ModuleUploads
    /// Members whose artifact's checksum the disk thread is computing.
    private var preparing: Set<NodeID> = []

    init(service: RaftService, uploads: ModuleUploads) {
        self.service = service
        self.uploads = uploads
    }

    /// Serves `request` from member `peer`; on the Raft loop.
    func serve(_ request: ArtifactRequest, to peer: ClusterTopology.Member) {
        service.loop.preconditionInLoop()
        let view = service.view
        let isRecorded = view.modules.values.contains { $0.values.contains { $0.sha256 == request.sha256 } }
        guard isRecorded, let digest = ArtifactDigest(bytes: request.sha256),
              let held = uploads.store.artifacts().first(where: { $0.digest == digest }) else {
            return refuse(request, .notHeld, to: peer)
        }
        guard request.offset <= UInt64(held.byteCount) else { return refuse(request, .badOffset, to: peer) }
        guard let outbox = service.peers.outbox(to: peer.id), !outbox.hasArtifactTransfer, !preparing.contains(peer.id),
              uploads.claimSlot(for: ModuleUploads.peerCaller(peer.name)) == nil else {
            return refuse(request, .busy, to: peer)
        }
        preparing.insert(peer.id)
        let store = uploads.store, start = Int64(request.offset)
        let bound = LoopBound(self, loop: service.loop)
        let queued = uploads.run(on: service.loop, {
            Self.prepare(digest, from: start, in: store)
        }, answer: { (answer: Result<Prepared, ModuleStoreError>?) in
            bound.value.prepared(answer, request, start: start, to: peer)
        })
        if !queued {
            preparing.remove(peer.id)
            uploads.releaseSlot(for: ModuleUploads.peerCaller(peer.name))
            refuse(request, .busy, to: peer)
        }
    }

    /// A stored artifact opened, with the CRC-32C of its bytes from the transfer's start. The
    /// reader passes from the disk thread to the Raft loop once, through the job's answer.
    private struct Prepared: @unchecked Sendable {
        let reader: StoredArtifactReader
        let checksum: UInt32
    }

    /// On the disk thread: opens the artifact and reads it from `start` in the store's pieces.
    private static func prepare(_ digest: ArtifactDigest, from start: Int64, in store: ModuleStore) -> Result<Prepared, ModuleStoreError> {
        do throws(ModuleStoreError) {
            let reader = try store.open(digest)
            var checksum: UInt32 = 0
            var offset = start
            while offset < reader.byteCount {
                let piece = try reader.read(atOffset: offset, upTo: store.limits.readPieceBytesMaximum)
                if piece.isEmpty { break }
                checksum = CRC32C.checksum(piece, continuing: checksum)
                offset += Int64(piece.count)
            }
            return .success(Prepared(reader: reader, checksum: checksum))
        } catch {
            return .failure(error)
        }
    }

    private func prepared(_ answer: Result<Prepared, ModuleStoreError>?, _ request: ArtifactRequest, start: Int64,
                          to peer: ClusterTopology.Member) {
        preparing.remove(peer.id)
        uploads.releaseSlot(for: ModuleUploads.peerCaller(peer.name))
        switch answer {
        case nil: refuse(request, .busy, to: peer)
        case let .failure(error):
            service.logger.warning("module artifact unreadable; request refused",
                                   ["peer": peer.name, "sha256": SignedMessage.hex(request.sha256), "error": "\(error)"])
            if case .notFound = error { return refuse(request, .notHeld, to: peer) }
            refuse(request, .unreadable, to: peer)
        case let .success(prepared):
            let outbox = service.peers.outbox(to: peer.id)
            guard prepared.reader.byteCount >= start,
                  outbox?.offerArtifact(prepared.reader, start: start, checksum: prepared.checksum) == true else {
                return refuse(request, .busy, to: peer)
            }
            service.logger.info("module artifact transfer queued", ["peer": peer.name, "sha256": prepared.reader.digest.hex,
                                                         "bytes": "\(prepared.reader.byteCount - start)"])
        }
    }

    private func refuse(_ request: ArtifactRequest, _ reason: ArtifactRefusal.Reason, to peer: ClusterTopology.Member) {
        let refusal = ArtifactRefusal(sha256: request.sha256, reason: reason)
        service.peers.send(Frame(kind: FrameKind.artifactRefusal.rawValue, payload: ArtifactRequestCodec.encode(refusal)),
                           to: peer.id, what: "module artifact refusal")
    }
}
