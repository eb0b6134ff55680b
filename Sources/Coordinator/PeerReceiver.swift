import Cluster
import Consensus
import Locking
import Primitives
import Telemetry
import Transport
import Wire

/// The peer port's protocol: pings, Raft messages, forwarded requests and
/// their answers, chunked transfers (snapshots, large answers, module
/// artifacts) from other coordinators, and requests for module artifacts. The sender is the node named in its certificate; a
/// message claiming to come from another node, or addressed elsewhere,
/// closes the connection. So does a first frame showing another cluster's identity
/// (`ClusterIdentityGuard`): nothing of a peer of another cluster is read.
final class PeerReceiver: FrameReceiver {
    private let service: RaftService
    private let inbox: SnapshotInbox
    private let artifacts: ArtifactFetcher
    /// The member this connection's certificate names, looked up on its first frame.
    private var peer: ClusterTopology.Member?
    /// Set once the first frame showed a cluster identity this member admits.
    private var isIdentityAdmitted = false
    private var transfers: TransferReception?
    /// Whether an artifact request from this connection waits for the Raft loop.
    private let artifactRequestPending = Locked(false)

    init(service: RaftService, inbox: SnapshotInbox, artifacts: ArtifactFetcher) {
        self.service = service
        self.inbox = inbox
        self.artifacts = artifacts
    }

    func channelDidOpen(_ channel: FrameChannel) {}

    func channel(_ channel: FrameChannel, didReceive frame: Frame) throws(FrameChannelError) {
        let peer = try knownPeer(of: channel)
        if !isIdentityAdmitted { try admitIdentity(shownBy: frame, from: peer) }
        try transfers?.checkProgress(now: .now())
        switch FrameKind(rawValue: frame.kind) {
        case .ping:
            channel.send(Frame(kind: FrameKind.pong.rawValue, payload: frame.payload), what: "pong", refusalsTo: inbox.logger)
            try hearAdvertisement(in: frame.payload, from: peer)
        case .raft:
            let message: Message
            do { message = try PeerMessageCodec.decode(frame.payload) } catch {
                throw FrameChannelError("bad Raft message from \(peer.name): \(error)")
            }
            try deliver(message, from: peer, mayDrop: true)
        case .forwardProposal:
            let payload = frame.payload
            let queued = service.inboundForwardedRequests.tryExecute(from: peer.id) { [service, inbox] in
                do { try service.receiveForwardedRequest(from: peer.id, payload: payload) } catch {
                    inbox.logger.warning("malformed forwarded request dropped", ["peer": peer.name, "error": "\(error)"])
                }
            }
            if !queued { service.peerMessagesDroppedInbound.increment() }
        case .forwardResult:
            guard let answer = forwardedAnswer(frame.payload, from: peer) else { return }
            service.loop.execute { [service] in
                service.forwarding.receiveAnswer(requestID: answer.requestID, from: peer.id, outcome: answer.outcome)
            }
        case .transferBegin:
            try hand(try reception(for: peer, on: channel).begin(frame.payload), from: peer)
        case .transferChunk:
            try reception(for: peer, on: channel).chunk(frame.payload)
        case .transferEnd:
            try hand(try reception(for: peer, on: channel).end(frame.payload), from: peer)
        case .artifactRequest:
            let request: ArtifactRequest
            do { request = try ArtifactRequestCodec.decodeRequest(frame.payload) } catch {
                throw FrameChannelError("bad module artifact request from \(peer.name): \(error)")
            }
            // One request per connection waits for the Raft loop: a member asks for one artifact at a time.
            guard artifactRequestPending.withLock({ pending in defer { pending = true }; return !pending }) else {
                throw FrameChannelError("\(peer.name) sent a module artifact request while its last one waited")
            }
            service.loop.execute { [artifacts, artifactRequestPending] in
                artifactRequestPending.withLock { $0 = false }
                artifacts.server.serve(request, to: peer)
            }
        case .artifactRefusal:
            do { artifacts.refused(try ArtifactRequestCodec.decodeRefusal(frame.payload), from: peer) } catch {
                throw FrameChannelError("bad module artifact refusal from \(peer.name): \(error)")
            }
        case .pong, .report, .reportAck, .agentHello, .agentWelcome, .agentRedirect, .agentCommand, .agentCommandResult,
             .enrollmentAuthority, .enrollmentRequest, .enrollmentAnswer,
             .certificateRenewalRequest, .certificateRenewalAnswer, .agentRefusal, nil:
            throw FrameChannelError("unexpected frame kind \(frame.kind) from \(peer.name)")
        }
    }

    /// A member whose link closed no longer counts as heard for the cluster version
    /// (`MemberVersions.linkClosed`) until its next ping.
    func channelDidClose(_ channel: FrameChannel, reason: CloseReason) {
        transfers?.abandon()
        guard let peer else { return }
        service.loop.execute { [service] in service.peerLinkClosed(peer.id) }
    }

    /// The first frame of a link of this build is a ping advertising its identity; any other first
    /// frame, or a ping advertising none (builds before identities), shows `none`.
    private func admitIdentity(shownBy frame: Frame, from peer: ClusterTopology.Member) throws(FrameChannelError) {
        var remote = ClusterIdentity.none
        if FrameKind(rawValue: frame.kind) == .ping, let bytes = FrameLink.keepaliveAdvertisement(inPing: frame.payload) {
            do { remote = try PeerAdvertisement.decode(bytes)?.identity ?? .none } catch {
                throw FrameChannelError("bad peer advertisement from \(peer.name): \(error)")
            }
        }
        guard service.clusterIdentity.admits(remote, peer: peer.name) else {
            throw FrameChannelError("\(peer.name) belongs to another cluster (\(remote), this member's is "
                                    + "\(service.clusterIdentity.identity))")
        }
        isIdentityAdmitted = true
    }

    /// A keepalive ping tells what the peer's build reads (nothing from builds before
    /// advertisements); the Raft loop keeps it for the leader's rule (`MemberVersions`). A
    /// malformed advertisement closes the connection like any malformed peer message.
    private func hearAdvertisement(in payload: [UInt8], from peer: ClusterTopology.Member) throws(FrameChannelError) {
        guard let bytes = FrameLink.keepaliveAdvertisement(inPing: payload) else { return }
        let reads: MemberReads
        do { reads = MemberReads(try PeerAdvertisement.decode(bytes)) } catch {
            throw FrameChannelError("bad peer advertisement from \(peer.name): \(error)")
        }
        service.loop.execute { [service] in service.heard(reads, from: peer.id) }
    }

    /// What a transfer delivered, to Raft or to the request it answers.
    private func hand(_ delivery: TransferReception.Delivery?, from peer: ClusterTopology.Member) throws(FrameChannelError) {
        switch delivery {
        case let .snapshot(message): try deliver(message, from: peer, mayDrop: false)
        case let .answer(requestID, outcome):
            service.loop.execute { [service] in service.forwarding.receiveAnswer(requestID: requestID, from: peer.id, outcome: outcome) }
        case nil: break
        }
    }

    /// Hands a Raft message to the Raft loop. One that `mayDrop` is dropped (and counted) while
    /// `RaftService.peerTasksMaximum` of this peer's messages wait there, like a lost packet; a
    /// snapshot, which took a whole transfer to arrive, is always handed on (one transfer at a
    /// time per connection).
    private func deliver(_ message: Message, from peer: ClusterTopology.Member, mayDrop: Bool) throws(FrameChannelError) {
        guard message.from == peer.id, message.to == service.selfMember.id else {
            throw FrameChannelError("\(peer.name) sent a message claiming from=\(message.from) to=\(message.to)")
        }
        guard mayDrop else { return service.loop.execute { [service] in service.receive(message) } }
        if !service.inboundRaftMessages.tryExecute(from: peer.id, { [service] in service.receive(message) }) {
            service.peerMessagesDroppedInbound.increment()
        }
    }

    /// An answer that does not decode (a leader of an incompatible build, PROTOCOL.md) refuses the
    /// request its leading id names, and the connection — which carries the leader's Raft
    /// traffic too — stays open.
    private func forwardedAnswer(_ payload: [UInt8], from peer: ClusterTopology.Member) -> ForwardedAnswer? {
        let decodingError: BinaryDecodingError
        do throws(BinaryDecodingError) { return try ForwardedAnswer.decode(payload) } catch { decodingError = error }
        let refused = ForwardedAnswer.undecodable(payload, error: decodingError)
        inbox.logger.warning("forwarded answer does not decode; its request is refused, the connection kept",
                             ["peer": peer.name, "bytes": "\(payload.count)", "request": refused.map { "\($0.requestID)" } ?? "none",
                              "error": "\(decodingError)"])
        return refused
    }

    private func reception(for peer: ClusterTopology.Member, on channel: FrameChannel) -> TransferReception {
        if let transfers { return transfers }
        let artifacts = self.artifacts, loop = channel.connection.loop
        let made = TransferReception(inbox: inbox, peer: peer, selfID: service.selfMember.id) { header, request, peer in
            artifacts.admit(header, request, from: peer, loop: loop)
        }
        transfers = made
        return made
    }

    private func knownPeer(of channel: FrameChannel) throws(FrameChannelError) -> ClusterTopology.Member {
        if let peer { return peer }
        guard let name = channel.peer?.name, let member = service.view.directory.member(named: name) else {
            throw FrameChannelError("peer \(channel.peer.map { "\($0)" } ?? "?") is not a known cluster member")
        }
        peer = member
        return member
    }
}
