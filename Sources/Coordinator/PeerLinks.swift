import Cluster
import Consensus
import Observability
import Telemetry
import Transport
import Wire

/// This coordinator's outbound links to the other members, dialled on first use, and the
/// chunked-transfer queue of each (`TransferOutbox`). They only carry this node's frames:
/// what peers send arrives on the peer port (`PeerReceiver`). Shared by the Ready loop (Raft
/// messages, snapshots) and `RequestForwarding` (requests and their answers); owned by
/// `RaftService` and confined to its loop.
final class PeerLinks: @unchecked Sendable {
    private let loop: EventLoop
    private let selfID: NodeID
    private let contexts: TLSContextStore
    private let logger: Logger
    /// Counts what the links drop: offered frames they had no room for, and frames evicted
    /// from the queue a down link holds for `send`.
    private let dropped: Counter
    /// The members as the Raft loop knows them now.
    private let directory: () -> MemberDirectory
    /// Whether a snapshot transfer is still worth sending (`TransferOutbox`).
    private let isSnapshotCurrent: (TransferHeader) -> Bool
    private let listener: PeerLinkListener
    /// Resolves members' host names off this loop (the Raft loop must not wait for DNS).
    private let resolver: HostResolver
    private var links: [NodeID: FrameLink] = [:]
    /// Set by `closeAll` at shutdown: no link is made after it.
    private var isClosed = false
    private var outboxes: [NodeID: TransferOutbox] = [:]

    private let settings: FrameLink.Settings

    init(loop: EventLoop, selfID: NodeID, settings: FrameLink.Settings, contexts: TLSContextStore, logger: Logger, dropped: Counter,
         dialing: PeerDialing,
         directory: @escaping () -> MemberDirectory, isSnapshotCurrent: @escaping (TransferHeader) -> Bool) {
        self.loop = loop
        self.selfID = selfID
        self.settings = settings
        self.contexts = contexts
        self.logger = logger
        self.dropped = dropped
        self.directory = directory
        self.isSnapshotCurrent = isSnapshotCurrent
        resolver = dialing.resolver
        listener = PeerLinkListener(logger: logger, resolutionFailures: dialing.resolutionFailures)
    }

    /// The link to a member, dialled on first use; nil for a node whose address nobody
    /// registered (its messages are dropped like lost packets).
    func link(to id: NodeID) -> FrameLink? {
        if let link = links[id] { return link }
        guard !isClosed, id != selfID, let member = directory().member(id: id) else { return nil }
        // The certificate must name the member this link means to reach, not just any coordinator;
        // its address must match the host as written (an IP or a DNS subject alternative name).
        let link = FrameLink(loop: loop, target: member.peerAddress, resolver: resolver, serverName: member.peerAddress.host,
                             expectedPeerName: member.name, contexts: contexts, settings: settings,
                             backoff: Backoff(initial: .milliseconds(50), maximum: .seconds(1), seed: member.id ^ selfID),
                             receiver: listener)
        links[id] = link
        link.start()
        return link
    }

    /// Dials the links to every member of `membership` now, so that they are up by the time
    /// Raft sends there (`offer` drops what is sent to a link still dialling).
    func dial(_ membership: Membership) {
        for id in membership.members { _ = link(to: id) }
    }

    /// Sends one frame on the link to `id`, held while the link is down; a frame over the link's
    /// limit is refused there (and counted), logged here, and reported as false. A frame the
    /// held queue evicts for it is counted in `dropped`.
    @discardableResult
    func send(_ frame: Frame, to id: NodeID, what: @autoclosure () -> String) -> Bool {
        guard let link = link(to: id) else { return false }
        let droppedBefore = link.droppedFrameCount
        defer { dropped.increment(by: link.droppedFrameCount - droppedBefore) }
        return link.send(frame, what: "\(what()) to \(displayName(of: id))", refusalsTo: logger)
    }

    /// The transfer queue of the link to `id`, made with the link and replaced with it (a
    /// member that left and came back gets a new link).
    func outbox(to id: NodeID) -> TransferOutbox? {
        guard let link = link(to: id) else { return nil }
        if let existing = outboxes[id], existing.link === link { return existing }
        let made = TransferOutbox(link: link, peerName: displayName(of: id), logger: logger, isSnapshotCurrent: isSnapshotCurrent)
        outboxes[id] = made
        return made
    }

    /// Sends a frame that may be lost (a Raft message) on the link to `id`, unless the link is
    /// down or its backlog full (`FrameLink.offer`): then the frame is dropped and counted in
    /// `dropped` — and not even made when the link has no room for `leastBytes`, a lower bound
    /// of its size. A frame over the link's limit is refused and logged as by `send`; a node
    /// with no link drops it as lost.
    func offer(to id: NodeID, leastBytes: Int, what: @autoclosure () -> String, _ frame: @autoclosure () -> Frame) {
        guard let link = link(to: id) else { return }
        guard link.hasRoom(forBytes: leastBytes) else { return dropped.increment() }
        do {
            if try !link.offer(frame()) { dropped.increment() }
        } catch {
            logger.error("frame not sent", ["what": "\(what()) to \(displayName(of: id))", "error": "\(error)"])
        }
    }

    /// Sends a Raft message: a snapshot as a chunked transfer paced by the
    /// link, anything else in one `.raft` frame.
    func sendRaft(_ message: Message) {
        guard message.kind != .snapshot else {
            outbox(to: message.to)?.offerSnapshot(message)
            return
        }
        // The encoding holds every entry's data: a link without room for that much is not worth encoding for.
        let leastBytes = message.entries.reduce(Frame.headerBytes) { $0 + $1.data.count }
        offer(to: message.to, leastBytes: leastBytes, what: "Raft \(message.kind)",
              Frame(kind: FrameKind.raft.rawValue, payload: PeerMessageCodec.encode(message)))
    }

    func displayName(of id: NodeID) -> String {
        directory().displayName(of: id)
    }

    /// Closes the links to nodes that left the membership.
    func close(outside membership: Membership) {
        for (id, link) in links where !membership.contains(id) {
            link.stop()
            listener.forget(link)
            links[id] = nil
            outboxes[id] = nil
        }
    }

    func closeAll() {
        isClosed = true
        for link in links.values {
            link.stop()
            listener.forget(link)
        }
        links.removeAll()
        outboxes.removeAll()
    }
}

extension RaftService {
    /// The links to the other members, for `peers`: made on the loop at first use.
    func makePeerLinks() -> PeerLinks {
        PeerLinks(loop: loop, selfID: selfMember.id, settings: PeerFlowControl.linkSettings(identity: clusterIdentity.advertised),
                  contexts: peerContexts, logger: logger, dropped: peerMessagesDroppedOutbound, dialing: peerDialing,
                  directory: { [unowned self] in directory },
                  isSnapshotCurrent: { [unowned self] header in node.status.role == .leader && node.status.term == header.term })
    }
}

/// What the peer links need to dial members by name: the resolver, whose thread keeps DNS off the
/// Raft loop (its owner stops it, off the loop, after the links), and the count of dials whose
/// name gave no address.
struct PeerDialing: Sendable {
    let resolver = HostResolver()
    let resolutionFailures: Counter

    init(metrics: MetricsRegistry) {
        resolutionFailures = metrics.counter("hotswap_peer_resolution_failures_total",
                                             help: "Dials to a member whose host name gave no address (each retried after a backoff).")
    }
}

/// Outbound peer links only carry our messages; replies arrive on the peer port. What it hears
/// is why a link is down: logged when the reason changes (a link redials every second at most,
/// so logging each failure would repeat one line a second per unreachable member), and when
/// the link is up again and the peer answered it. A member's name that does not resolve (a pod
/// not scheduled yet) is such a reason, and each such dial is counted.
private final class PeerLinkListener: FrameLinkReceiver {
    private let logger: Logger
    private let resolutionFailures: Counter
    private var lastFailure: [ObjectIdentifier: String] = [:]

    init(logger: Logger, resolutionFailures: Counter) {
        self.logger = logger
        self.resolutionFailures = resolutionFailures
    }

    func link(_ link: FrameLink, didFailToResolve failure: ResolutionFailure) {
        resolutionFailures.increment()
        let why = "\(failure)"
        guard lastFailure[ObjectIdentifier(link)] != why else { return }
        lastFailure[ObjectIdentifier(link)] = why
        logger.warning("peer address did not resolve; redialling", ["peer": link.expectedPeerName ?? "\(link.target)",
                                                                    "address": "\(link.target)", "reason": why])
    }

    func linkDidConnect(_ link: FrameLink) {}

    /// Logged once the peer answered, not when TLS opens: a peer that refuses the link (another
    /// cluster) closes it before that, so its redials log nothing more than the first failure.
    func linkIsEstablished(_ link: FrameLink) {
        guard lastFailure.removeValue(forKey: ObjectIdentifier(link)) != nil else { return }
        logger.info("peer link up again", ["peer": link.expectedPeerName ?? "\(link.target)"])
    }

    func link(_ link: FrameLink, didReceive frame: Frame) {}

    func linkDidDisconnect(_ link: FrameLink, reason: CloseReason) {
        switch reason {
        case .local, .shutdown: return  // this side stopped the link
        case .peerClosed, .protocolViolation, .timeout, .handshakeFailed, .ioError: break
        }
        let why = "\(reason)"
        guard lastFailure[ObjectIdentifier(link)] != why else { return }
        lastFailure[ObjectIdentifier(link)] = why
        logger.warning("peer link down; redialling", ["peer": link.expectedPeerName ?? "\(link.target)", "reason": why])
    }

    /// Drops what it remembers of a link that was stopped.
    func forget(_ link: FrameLink) {
        lastFailure[ObjectIdentifier(link)] = nil
    }
}
