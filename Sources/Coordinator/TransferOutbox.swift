import Cluster
import Consensus
import ModuleArchive
import Observability
import Primitives
import Telemetry
import Transport
import Wire

/// The chunked transfers waiting for one peer link, sent one after another
/// and paced by the link: chunks go out only while its write queue is under
/// the high-water mark, and the rest wait for it to drain, so a 20 MB
/// snapshot never sits whole in a queue nor starves the heartbeats that
/// share the link. At most one snapshot is held (a newer one replaces it);
/// answers are bounded by `transfersQueuedMaximum`. A transfer cut by a
/// reconnection starts over on the new connection — a forwarded document only
/// before its deadline, after which the follower no longer waits for it — except
/// a module artifact, which is dropped (its receiver abandoned it and asks again).
/// At most one artifact transfer is queued or under way; snapshots and forwarded
/// documents go ahead of one that has not begun. One that has begun is sent whole
/// before anything queued behind it (up to 512 MiB: minutes on a slow link), as
/// artifacts are not sent in runs of bounded transfers. Confined to the Raft loop.
final class TransferOutbox: @unchecked Sendable {
    static let transfersQueuedMaximum = 16
    /// Frames sent per turn of the loop before yielding to other work,
    /// even when the socket takes them as fast as they come.
    static let framesPerTurnMaximum = 8

    let link: FrameLink
    private let peerName: String
    private let logger: Logger
    /// Whether a snapshot transfer is still worth sending: its term is
    /// ours and we still lead (a deposed leader's snapshot would be refused).
    private let isSnapshotCurrent: (TransferHeader) -> Bool
    private var queue: [OutgoingTransfer] = []
    /// The connection the head transfer's frames went on; nil before its first.
    private var headConnection: UInt64?
    private var isWaiting = false
    private var nextTransferID: UInt64 = 1

    init(link: FrameLink, peerName: String, logger: Logger, isSnapshotCurrent: @escaping (TransferHeader) -> Bool) {
        self.link = link
        self.peerName = peerName
        self.logger = logger
        self.isSnapshotCurrent = isSnapshotCurrent
    }

    /// Queues a snapshot unless one at least as new is already queued or
    /// being sent (Raft re-sends a snapshot it got no answer for, and a
    /// large one is often still on its way).
    func offerSnapshot(_ message: Message) {
        let queuedSnapshots = queue.indices.filter { queue[$0].header.purpose == .snapshot }
        let rank = (message.term, message.snapshot?.metadata.index ?? 0)
        guard queuedSnapshots.allSatisfy({ rank > (queue[$0].header.term, queue[$0].header.index) }) else { return }
        // Checked before building the transfer: that checksums all the data.
        let transfer = OutgoingTransfer.snapshot(message, transferID: takeTransferID())
        let replacesHead = queuedSnapshots.first == 0
        queue.removeAll { $0.header.purpose == .snapshot }
        if replacesHead {
            // Still the head on the same connection: the receiver sees a
            // newer snapshot's begin and drops the unfinished one.
            queue.insert(transfer, at: 0)
        } else {
            insertAheadOfArtifact(transfer)
        }
        if !isWaiting { pump() }
    }

    /// Queues a forwarded gateway document too large for one frame, to be
    /// begun before `deadline` or dropped; false when the queue is full (the
    /// caller answers with a refusal instead).
    func offerDocument(_ document: [UInt8], requestID: UInt64, deadline: MonotonicInstant) -> Bool {
        guard queue.count < Self.transfersQueuedMaximum else { return false }
        insertAheadOfArtifact(.document(document, requestID: requestID, transferID: takeTransferID(), deadline: deadline))
        if !isWaiting { pump() }
        return true
    }

    /// Whether an artifact transfer is queued or under way on this link.
    var hasArtifactTransfer: Bool { queue.contains { $0.header.purpose == .artifact } }

    /// Drops the queued artifact transfer unless its first frame went out (its receiver asked
    /// again, so it no longer waits for it); one under way is left to finish.
    func dropArtifactNotBegun() {
        guard let index = queue.firstIndex(where: { $0.header.purpose == .artifact }), !isUnderWay(index) else { return }
        logger.info("module artifact transfer dropped before it began: the member asked again",
                    ["peer": peerName, "transfer": "\(queue[index].header.transferID)"])
        queue.remove(at: index)
        if index == 0 { headConnection = nil }
    }

    /// Queues a snapshot or forwarded document ahead of an artifact transfer not begun, else last.
    private func insertAheadOfArtifact(_ transfer: OutgoingTransfer) {
        guard let index = queue.firstIndex(where: { $0.header.purpose == .artifact }), !isUnderWay(index) else {
            return queue.append(transfer)
        }
        queue.insert(transfer, at: index)
        if index == 0 { headConnection = nil }
    }

    /// Whether the transfer at `index` sent frames on the current connection.
    private func isUnderWay(_ index: Int) -> Bool {
        index == 0 && headConnection != nil && headConnection == link.connectionSerial
    }

    /// Queues a stored artifact a member asked for; false when one is already queued or under
    /// way, or the queue is full (the caller refuses the request as busy).
    func offerArtifact(_ reader: StoredArtifactReader, start: Int64, checksum: UInt32) -> Bool {
        guard !hasArtifactTransfer, queue.count < Self.transfersQueuedMaximum else { return false }
        queue.append(.artifact(reader, start: start, checksum: checksum, transferID: takeTransferID()))
        if !isWaiting { pump() }
        return true
    }

    private func takeTransferID() -> UInt64 {
        defer { nextTransferID += 1 }
        return nextTransferID
    }

    private func pump() {
        isWaiting = false
        var sentThisTurn = 0
        while var transfer = queue.first {
            guard transfer.header.purpose != .snapshot || isSnapshotCurrent(transfer.header) else {
                logger.info("snapshot transfer dropped: this node no longer leads in its term",
                            ["peer": peerName, "term": "\(transfer.header.term)", "index": "\(transfer.header.index)"])
                dropHead()
                continue
            }
            guard link.isWritable else { return waitForLink() }
            guard sentThisTurn < Self.framesPerTurnMaximum else { return yieldTurn() }
            if headConnection != link.connectionSerial {
                if transfer.header.purpose == .artifact, headConnection != nil {
                    logger.info("module artifact transfer dropped: its connection closed; the member asks again",
                                ["peer": peerName, "transfer": "\(transfer.header.transferID)"])
                    dropHead()
                    continue
                }
                // The receiver knows nothing of this transfer yet, so dropping it here leaves nothing half-sent.
                if let deadline = transfer.deadline, deadline <= .now() {
                    logger.info("forwarded document dropped: its follower no longer waits for it",
                                ["peer": peerName, "transfer": "\(transfer.header.transferID)"])
                    dropHead()
                    continue
                }
                transfer.restart()
                headConnection = link.connectionSerial
            }
            let next: Frame?
            do { next = try transfer.nextFrame() } catch {
                logger.error("module artifact unreadable; transfer dropped", ["peer": peerName, "error": "\(error)"])
                dropHead()
                continue
            }
            guard let frame = next else {
                dropHead()
                continue
            }
            sentThisTurn += 1
            do {
                try link.send(frame)
            } catch {
                logger.error("chunked transfer frame refused; transfer dropped",
                             ["peer": peerName, "purpose": "\(transfer.header.purpose)", "error": "\(error)"])
                dropHead()
                continue
            }
            if transfer.isFinished { dropHead() } else { queue[0] = transfer }
        }
    }

    private func dropHead() {
        queue.removeFirst()
        headConnection = nil
    }

    private func waitForLink() {
        isWaiting = true
        link.whenWritable { [weak self] in self?.pump() }
    }

    /// Lets the loop's other work run before the next frames.
    private func yieldTurn() {
        isWaiting = true
        link.loop.execute { [weak self] in self?.pump() }
    }
}
