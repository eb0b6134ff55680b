import Cluster
import Consensus
import Fleet
import ModuleArchive
import Modules
import Observability
import Telemetry
import Transport
import Wire

/// Answers other members' `artifactRequest`s (Docs/MODULES.md, "Artifacts on every
/// coordinator"), on the Raft loop: an artifact a record names and the store holds is sent as a
/// transfer of purpose `artifact` on the link to the asker, read from the store one chunk at a
/// time as the link takes them; anything else is answered with an `artifactRefusal`. Before its
/// first transfer an artifact passes `ArtifactChecks` on the disk thread (its sha256, and the
/// transfer's CRC-32C), shared with the agent port's `AgentArtifactServer`. Bounded:
/// `preparesMaximum` passes at a time (none of the API's upload slots), one artifact transfer
/// per link.
final class ArtifactServer: @unchecked Sendable {
    static let preparesMaximum = 2

    private let service: RaftService
    let checks: ArtifactChecks
    /// Members whose artifact the disk thread is preparing.
    private var preparing: Set<NodeID> = []

    init(service: RaftService, uploads: ModuleUploads, metrics: MetricsRegistry) {
        self.service = service
        checks = ArtifactChecks(uploads: uploads, metrics: metrics)
    }

    /// Serves `request` from member `peer`; on the Raft loop.
    func serve(_ request: ArtifactRequest, to peer: ClusterTopology.Member) {
        service.loop.preconditionInLoop()
        let recordedBytes = Self.recordedBytes(of: request.sha256, in: service.view)
        if let reason = checks.refusal(of: request, recordedBytes: recordedBytes) { return refuse(request, reason, to: peer) }
        guard let start = ArtifactChecks.start(of: request), let digest = ArtifactDigest(bytes: request.sha256),
              let outbox = service.peers.outbox(to: peer.id),
              !preparing.contains(peer.id), preparing.count < Self.preparesMaximum else {
            return refuse(request, .busy, to: peer)
        }
        // A member asks again only after giving up on what it asked before: a transfer not begun is dropped.
        outbox.dropArtifactNotBegun()
        guard !outbox.hasArtifactTransfer else { return refuse(request, .busy, to: peer) }
        preparing.insert(peer.id)
        let bound = LoopBound(self, loop: service.loop)
        let queued = checks.prepare(digest, from: start, on: service.loop) { answer in
            bound.value.prepared(answer, request, start: start, to: peer)
        }
        if !queued {
            preparing.remove(peer.id)
            refuse(request, .busy, to: peer)
        }
    }

    /// The size the applied records name for `sha256`; nil when none names it.
    static func recordedBytes(of sha256: [UInt8], in view: ClusterView) -> UInt64? {
        for versions in view.modules.values {
            if let record = versions.values.first(where: { $0.sha256 == sha256 }) { return record.byteCount }
        }
        return nil
    }

    private func prepared(_ answer: ArtifactChecks.Prepared?, _ request: ArtifactRequest, start: Int64,
                          to peer: ClusterTopology.Member) {
        preparing.remove(peer.id)
        switch checks.outcome(of: answer, sha256: request.sha256, asker: peer.name, logger: service.logger) {
        case let .refused(reason):
            refuse(request, reason, to: peer)
        case let .ready(reader, checksum):
            guard service.peers.outbox(to: peer.id)?.offerArtifact(reader, start: start, checksum: checksum) == true else {
                return refuse(request, .busy, to: peer)
            }
            service.logger.info("module artifact transfer queued", ["peer": peer.name, "sha256": reader.digest.hex,
                                                                    "bytes": "\(reader.byteCount - start)"])
        }
    }

    private func refuse(_ request: ArtifactRequest, _ reason: ArtifactRefusal.Reason, to peer: ClusterTopology.Member) {
        let refusal = ArtifactRefusal(sha256: request.sha256, reason: reason)
        service.peers.send(Frame(kind: FrameKind.artifactRefusal.rawValue, payload: ArtifactRequestCodec.encode(refusal)),
                           to: peer.id, what: "module artifact refusal")
    }
}
