import Cluster
import Consensus
import Primitives
import Storage
import Telemetry
import Transport
import Wire

/// One peer connection's incoming chunked transfers: the shell around a
/// `TransferAssembler` that stores what it admits — a snapshot's chunks in a
/// spool file as they arrive, a forwarded document's in memory, a module
/// artifact's in the module store (`ArtifactDownload`) — and, once the
/// assembler and a re-read of the spool agree the data is whole and its
/// checksum matches, hands back the snapshot `Message` or the answer. Both
/// kinds of context are decoded at the begin frame, before any data is stored.
/// Any refusal removes what was stored and closes the connection — except a
/// forwarded answer whose context does not decode (a leader of an
/// incompatible build, PROTOCOL.md): its request is refused at once, its
/// chunks are checked and dropped, and the connection stays open; so are an
/// artifact's that was not asked for (`ArtifactFetcher.admit`).
final class TransferReception {
    /// What a finished transfer delivers.
    enum Delivery: Equatable {
        case snapshot(Message)
        case answer(requestID: UInt64, outcome: ClusterOutcome)
    }

    private let inbox: SnapshotInbox
    /// Where an artifact transfer's chunks go (`ArtifactFetcher.admit`); nil drops them.
    private let admitArtifact: (TransferHeader, ArtifactRequest, ClusterTopology.Member) -> ArtifactDownload?
    private let peer: ClusterTopology.Member
    private let selfID: NodeID
    private let serial: UInt64
    private var assembler = TransferAssembler(limits: SnapshotInbox.limits)
    private var spool: SpoolFile?
    private var answerBody: [UInt8] = []
    /// The request the forwarded document in progress answers; nil for a snapshot, for no
    /// transfer, and for a document whose context did not decode (its chunks are dropped).
    private var answerRequestID: UInt64?
    /// Where the artifact in progress is written; nil when none is, or its chunks are dropped.
    private var download: ArtifactDownload?
    /// When the transfer in progress last moved; nil when none is.
    private var lastProgressAt: MonotonicInstant?

    init(inbox: SnapshotInbox, peer: ClusterTopology.Member, selfID: NodeID,
         admitArtifact: @escaping (TransferHeader, ArtifactRequest, ClusterTopology.Member) -> ArtifactDownload? = { _, _, _ in nil }) {
        self.inbox = inbox
        self.admitArtifact = admitArtifact
        self.peer = peer
        self.selfID = selfID
        serial = inbox.takeSerial()
    }

    /// Admits a transfer's header. A forwarded answer whose context does not decode delivers,
    /// here, the refusal of the request its leading id names (if it names one).
    @discardableResult
    func begin(_ payload: [UInt8]) throws(FrameChannelError) -> Delivery? {
        try refusing { () throws -> Delivery? in
            let header = try TransferCodec.decodeHeader(payload)
            var requestID: UInt64?
            var refused: ForwardedAnswer?
            var artifact: ArtifactRequest?
            switch header.purpose {
            case .snapshot: try checkSnapshotContext(header)
            case .forwardedAnswer:
                do throws(BinaryDecodingError) { requestID = try ForwardedAnswer.decodeStreamedContext(header.context) } catch {
                    refused = undecodableContext(header, error: error)
                }
            case .artifact: artifact = try ArtifactRequestCodec.decodeTransferContext(header.context)
            }
            if let replaced = try assembler.begin(header) {
                inbox.logger.info("snapshot transfer replaced by a newer one",
                                  ["peer": peer.name, "old_index": "\(replaced.index)", "new_index": "\(header.index)"])
                try discardStored()
            }
            answerBody = []
            answerRequestID = requestID
            lastProgressAt = .now()
            if let artifact { download = admitArtifact(header, artifact, peer) }
            // An answer's memory grows with the bytes that arrive, never with the size a peer declares.
            guard header.purpose == .snapshot else { return refused.map { .answer(requestID: $0.requestID, outcome: $0.outcome) } }
            inbox.claim(sender: peer.id, serial: serial)
            spool = try SpoolFile.create(at: inbox.spoolPath(sender: peer.name, serial: serial))
            return nil
        }
    }

    func chunk(_ payload: [UInt8]) throws(FrameChannelError) {
        try refusing {
            let chunk = try TransferCodec.decodeChunk(payload)
            try checkStillHolder()
            try assembler.accept(chunk)
            if let spool {
                try spool.append(chunk.bytes)
            } else if answerRequestID != nil {
                answerBody.append(contentsOf: chunk.bytes)
            } else {
                download?.write(chunk.bytes)
            }
            lastProgressAt = .now()
        }
    }

    /// A transfer that stopped moving (its sender dropped it, or holds it open on purpose)
    /// must not keep its file, its memory or this connection: past the stall bound the
    /// connection closes and `abandon` removes what it stored. Checked on every frame the
    /// peer sends, keepalive pings included.
    func checkProgress(now: MonotonicInstant) throws(FrameChannelError) {
        guard let lastProgressAt, lastProgressAt.duration(until: now) > SnapshotInbox.transferStallMaximum else { return }
        inbox.noteRefused()
        throw FrameChannelError("chunked transfer from \(peer.name) made no progress for \(SnapshotInbox.transferStallMaximum)")
    }

    /// Completes the transfer; nil for a forwarded answer whose context did not decode.
    func end(_ payload: [UInt8]) throws(FrameChannelError) -> Delivery? {
        try refusing { () throws -> Delivery? in
            let transferID = try TransferCodec.decodeEnd(payload)
            try checkStillHolder()
            let header = try assembler.end(transferID: transferID)
            lastProgressAt = nil
            inbox.noteCompleted()
            switch header.purpose {
            case .forwardedAnswer:
                defer {
                    answerBody = []
                    answerRequestID = nil
                }
                return answerRequestID.map { .answer(requestID: $0, outcome: .document(answerBody)) }
            case .snapshot:
                return .snapshot(try spooledSnapshot(header))
            case .artifact:
                download?.end()
                download = nil
                return nil
            }
        }
    }

    /// The connection closed: an unfinished transfer is abandoned.
    func abandon() {
        lastProgressAt = nil
        guard let header = assembler.abandon() else { return }
        inbox.logger.info("chunked transfer abandoned: the connection closed",
                          ["peer": peer.name, "purpose": "\(header.purpose)", "index": "\(header.index)"])
        discardStoredLogging()
    }

    /// The snapshot as the spool file holds it, checked again after reading
    /// it back, with the message the header carried.
    private func spooledSnapshot(_ header: TransferHeader) throws -> Message {
        guard let spool else { throw StorageError.closed }
        let data = try spool.readAll(maximumBytes: Int(header.totalBytes))
        try discardStored()
        let computed = CRC32C.checksum(data)
        guard UInt64(data.count) == header.totalBytes, computed == header.checksum else {
            throw TransferError.checksumMismatch(expected: header.checksum, computed: computed)
        }
        var message = try PeerMessageCodec.decode(header.context)
        message.snapshot?.data = data
        inbox.release(sender: peer.id, serial: serial)
        inbox.logger.info("snapshot received", ["peer": peer.name, "index": "\(header.index)", "term": "\(header.term)",
                                                "bytes": "\(data.count)"])
        return message
    }

    /// The refusal of the request an undecodable streamed answer's context names, logged.
    private func undecodableContext(_ header: TransferHeader, error: BinaryDecodingError) -> ForwardedAnswer? {
        let refused = ForwardedAnswer.undecodable(header.context, error: error)
        inbox.logger.warning("forwarded answer's transfer context does not decode; its request is refused, its chunks dropped",
                             ["peer": peer.name, "transfer": "\(header.transferID)", "bytes": "\(header.totalBytes)",
                              "request": refused.map { "\($0.requestID)" } ?? "none", "error": "\(error)"])
        return refused
    }

    /// The header's message must be a snapshot from this peer to us, of the
    /// term and index the header claims.
    private func checkSnapshotContext(_ header: TransferHeader) throws {
        let message = try PeerMessageCodec.decode(header.context)
        guard message.kind == .snapshot, let snapshot = message.snapshot, snapshot.data.isEmpty,
              message.from == peer.id, message.to == selfID,
              message.term == header.term, snapshot.metadata.index == header.index else {
            throw TransferReceptionError.context("the header's message is not an empty snapshot from \(peer.name) to this node "
                + "of term \(header.term) and index \(header.index)")
        }
    }

    private func checkStillHolder() throws(TransferReceptionError) {
        guard spool != nil, !inbox.holds(sender: peer.id, serial: serial) else { return }
        throw .superseded
    }

    private func discardStored() throws(StorageError) {
        answerBody = []
        answerRequestID = nil
        download?.abandon("the transfer from \(peer.name) was cut or refused")
        download = nil
        guard let spool else { return }
        self.spool = nil
        inbox.release(sender: peer.id, serial: serial)
        try spool.remove()
    }

    private func discardStoredLogging() {
        do {
            try discardStored()
        } catch {
            inbox.logger.error("cannot remove a snapshot spool file", ["peer": peer.name, "error": "\(error)"])
        }
    }

    /// Runs `body`; a failure (a `BinaryDecodingError`, `TransferError`,
    /// `StorageError` or `TransferReceptionError`) is logged, counted,
    /// cleaned up, and becomes the reason the connection closes.
    private func refusing<Result>(_ body: () throws -> Result) throws(FrameChannelError) -> Result {
        do {
            return try body()
        } catch {
            _ = assembler.abandon()
            discardStoredLogging()
            inbox.noteRefused()
            inbox.logger.warning("chunked transfer refused; closing the connection", ["peer": peer.name, "error": "\(error)"])
            throw FrameChannelError("chunked transfer from \(peer.name) refused: \(error)")
        }
    }
}

/// Why `TransferReception` refused a transfer beyond what the codec and
/// assembler check.
enum TransferReceptionError: Error, CustomStringConvertible {
    /// The header's message does not match the header or this connection.
    case context(String)
    /// A newer connection from the same sender began a snapshot transfer.
    case superseded

    var description: String {
        switch self {
        case let .context(detail): detail
        case .superseded: "a newer connection from the same peer took over its snapshot transfer"
        }
    }
}
