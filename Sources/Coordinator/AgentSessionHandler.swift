import Certificates
import Fleet
import Gateway
import Observability
import Primitives
import Telemetry
import Transport
import Wire

/// One agent connection on the agent port. The first frame must be a hello
/// naming the node its certificate names; a coordinator that is not the
/// acting leader answers with a redirect and closes, or holds the hello
/// while an election runs (`HelloRoute`). Then reports are stored and
/// acknowledged. A malformed or unexpected frame closes this connection only. A hello of an enrolled
/// node reporting another environment than it enrolled for is refused with its reason (`agentRefusal`).
/// A connection of a revoked node is closed when it opens, at hello, and
/// whenever a revocation applies (`AgentRevocations`). A welcomed agent may ask for a module
/// artifact (`AgentArtifactServer`, one transfer per connection) and answers the leader's module
/// orders (`ModuleOrders`). A connection without a client certificate (only when the coordinator
/// enrolls, `AgentEnrollment`) may send one enrollment request, of at most
/// `EnrollmentLimits.requestFrameBytesMaximum`, and nothing else, and is closed after
/// `AgentEnrollment.connectionLifetime`, answered or not. A welcomed one may ask for a renewed
/// certificate (`AgentCertificateRenewal`): one is issued per connection.
final class AgentSessionHandler: FrameReceiver {
    private let gateway: AgentGateway
    private let raft: any GatewayRaft
    private let ticketKeys: SessionTicketKeyRing
    private let revocations: AgentRevocations
    private let logger: Logger
    private let artifacts: AgentArtifactServer?
    private let orders: ModuleOrders?
    private let enrollment: AgentEnrollment?
    private let renewal: AgentCertificateRenewal?
    /// This (authenticated) connection's renewal requests, and whether one got a certificate.
    private var renewalRequests = 0
    private var renewalIssued = false
    /// Renewal requests one connection may make (the agent waits between them; a refusal is answered).
    static let renewalRequestsMaximum = 16
    /// Whether this connection (one without a certificate) has sent its enrollment request.
    private var enrolling = false
    /// The artifact transfer of this connection, while it runs (and after, until the next request).
    private var artifactStream: AgentArtifactStream?
    private var artifactTransfers: UInt64 = 0
    /// The key ring's generation when this session last got a ticket: a
    /// rotation gets it a fresh one, so a connected agent's ticket never expires.
    private var ticketKeysGeneration: UInt64 = 0
    /// The node this session speaks for, once its hello was accepted.
    private var node: String?
    /// A hello held until an election ends, and its connection's channel.
    private var held: AgentHello?
    private weak var heldChannel: FrameChannel?

    init(gateway: AgentGateway, raft: any GatewayRaft, ticketKeys: SessionTicketKeyRing, revocations: AgentRevocations,
         logger: Logger, artifacts: AgentArtifactServer? = nil, orders: ModuleOrders? = nil,
         enrollment: AgentEnrollment? = nil, renewal: AgentCertificateRenewal? = nil) {
        self.gateway = gateway
        self.enrollment = enrollment
        self.renewal = renewal
        self.artifacts = artifacts
        self.orders = orders
        self.raft = raft
        self.ticketKeys = ticketKeys
        self.revocations = revocations
        self.logger = logger
    }

    func channelDidOpen(_ channel: FrameChannel) {
        if channel.peer == nil, let enrollment {
            channel.restrictIncoming(frameSizeMaximumBytes: EnrollmentLimits.requestFrameBytesMaximum,
                                     lifetime: enrollment.connectionLifetime)
            channel.send(Frame(kind: FrameKind.enrollmentAuthority.rawValue, payload: enrollment.authorityFrame),
                         what: "enrollment authority", refusalsTo: logger)
            return
        }
        guard let revocation = revocations.register(channel) else { return }
        gateway.noteRefusal()
        channel.close(.local(AgentRevocations.reason(revocation)))
    }

    func channel(_ channel: FrameChannel, didReceive frame: Frame) throws(FrameChannelError) {
        if channel.peer == nil, let enrollment { return try receiveWithoutCertificate(frame, on: channel, enrollment: enrollment) }
        let receivedAt = gateway.clock.now()
        switch FrameKind(rawValue: frame.kind) {
        case .ping:
            channel.send(Frame(kind: FrameKind.pong.rawValue, payload: frame.payload), what: "pong", refusalsTo: logger)
        case .agentHello:
            try accept(try decoded { () throws(BinaryDecodingError) in try AgentSessionCodec.decodeHello(frame.payload) },
                       on: channel)
        case .report:
            guard let node else { throw refusal("a report before hello") }
            let report = try decoded { () throws(BinaryDecodingError) in try ReportCodec.decodeReport(frame.payload) }
            switch gateway.ingest(report, from: node, receivedAt: receivedAt) {
            case let .acknowledged(ack):
                channel.send(Frame(kind: FrameKind.reportAck.rawValue, payload: ReportCodec.encode(ack)),
                             what: "report acknowledgement", refusalsTo: logger)
                renewTicketAfterRotation(on: channel)
            case .notActingLeader:
                redirect(channel)
            case let .tableFull(maximum):
                throw refusal("the leader already holds windows for \(maximum) nodes")
            }
        case .agentCommandResult:
            guard let node else { throw refusal("a command result before hello") }
            let result = try decoded { () throws(BinaryDecodingError) in try AgentSessionCodec.decodeCommandResult(frame.payload) }
            logger.info("agent command result", ["node": node, "command": "\(result.commandID)",
                                                 "accepted": "\(result.accepted)", "detail": result.detail])
            orders?.receive(result, from: node, on: channel)
        case .artifactRequest:
            guard let node else { throw refusal("an artifact request before welcome") }
            guard let artifacts else { throw refusal("unexpected frame kind \(frame.kind)") }
            let request = try decoded { () throws(BinaryDecodingError) in try ArtifactRequestCodec.decodeRequest(frame.payload) }
            artifactTransfers += 1
            artifactStream = artifacts.serve(request, node: node, on: channel, current: artifactStream, transferID: artifactTransfers)
        case .certificateRenewalRequest:
            try renew(frame.payload, on: channel)
        default:
            throw refusal("unexpected frame kind \(frame.kind)")
        }
    }

    func channelDidBecomeWritable(_ channel: FrameChannel) {
        artifactStream?.pump()
    }

    func channelDidClose(_ channel: FrameChannel, reason: CloseReason) {
        artifactStream?.cancel()
        revocations.unregister(channel)
        if let node { gateway.close(node: node, channel: channel) }
        if held != nil { gateway.holds.release(ObjectIdentifier(channel)) }
    }

    /// The one enrollment request a connection without a certificate may send; it is answered and
    /// closed. Anything else closes it, counted.
    private func receiveWithoutCertificate(_ frame: Frame, on channel: FrameChannel,
                                           enrollment: AgentEnrollment) throws(FrameChannelError) {
        guard frame.kind == FrameKind.enrollmentRequest.rawValue, !enrolling else {
            enrollment.noteFrameRefused()
            throw refusal("a connection without a certificate may send one enrollment request and nothing else")
        }
        enrolling = true
        let bound = LoopBound(channel, loop: channel.connection.loop)
        let logger = logger
        enrollment.enroll(frame.payload, source: channel.connection.remoteAddress?.host, loop: channel.connection.loop) { answer in
            bound.withValueOnLoop { channel in
                channel.send(Frame(kind: FrameKind.enrollmentAnswer.rawValue, payload: EnrollmentCodec.encode(answer)),
                             what: "enrollment answer", refusalsTo: logger)
                channel.close(.local("enrollment answered"))
            }
        }
    }

    /// A welcomed session's renewal request, answered at once (signing one certificate is quick). After a
    /// certificate was issued on a connection, or `renewalRequestsMaximum` requests, another closes it.
    private func renew(_ payload: [UInt8], on channel: FrameChannel) throws(FrameChannelError) {
        guard node != nil, let peer = channel.peer else { throw refusal("a renewal request before welcome") }
        guard !renewalIssued, renewalRequests < Self.renewalRequestsMaximum else {
            throw refusal("another renewal request after a certificate was issued or \(Self.renewalRequestsMaximum) requests")
        }
        renewalRequests += 1
        let answer = renewal?.renew(payload, peer: peer, resumed: channel.connection.isResumed,
                                    presentedCertificate: { channel.connection.peerCertificateDER },
                                    source: channel.connection.remoteAddress?.host)
            ?? .refused("renewal refused: this coordinator signs no certificates (it has no --signing-key)")
        if case .issued = answer { renewalIssued = true }
        channel.send(Frame(kind: FrameKind.certificateRenewalAnswer.rawValue, payload: EnrollmentCodec.encode(answer)),
                     what: "certificate renewal answer", refusalsTo: logger)
    }

    private func accept(_ hello: AgentHello, on channel: FrameChannel) throws(FrameChannelError) {
        guard node == nil, held == nil else { throw refusal("a second hello") }
        guard let certified = channel.peer?.name else { throw refusal("no certificate identity") }
        guard hello.nodeName == certified else {
            throw refusal("hello claims node '\(hello.nodeName)' but the certificate names '\(certified)'")
        }
        if let revocation = revocations.denial(of: certified, notBeforeSeconds: channel.peer?.notBeforeSeconds) {
            throw refusal(AgentRevocations.reason(revocation))
        }
        let record = NodeRecord(id: certified, environment: hello.environment, labels: hello.labels,
                                moduleVersions: hello.moduleVersions)
        if let invalidity = record.invalidity { throw refusal("node \(certified): \(invalidity)") }
        if let bound = enrolledRefusal(hello, on: channel) { return refuseHello(bound, on: channel) }
        try route(hello, record: record, on: channel, holdExpired: false)
    }

    /// Why the view's enrollment binding refuses `hello` on `channel` (`ClusterView.enrolledEnvironmentRefusal`).
    private func enrolledRefusal(_ hello: AgentHello, on channel: FrameChannel) -> String? {
        raft.view.enrolledEnvironmentRefusal(node: hello.nodeName, reports: hello.environment,
                                             notBeforeSeconds: channel.peer?.notBeforeSeconds,
                                             backdatingSeconds: AgentCertificateIssuer.backdatingSeconds)
    }

    /// A hello the agent must be told why it is refused (its operator has to change its configuration): the reason
    /// goes to the agent in an `agentRefusal` frame, to the log and to the counters, and the connection closes.
    private func refuseHello(_ reason: String, on channel: FrameChannel) {
        gateway.noteEnvironmentRefusal()
        logger.warning("agent hello refused", ["node": channel.peer?.name ?? "-", "reason": reason])
        channel.send(Frame(kind: FrameKind.agentRefusal.rawValue, payload: AgentSessionCodec.encodeRefusal(reason)),
                     what: "hello refusal", refusalsTo: logger)
        channel.close(.local("hello refused: \(reason)"))
    }

    private func route(_ hello: AgentHello, record: NodeRecord, on channel: FrameChannel,
                       holdExpired: Bool) throws(FrameChannelError) {
        let knowledge = raft.view.helloKnowledge(at: gateway.clock.now())
        switch HelloRoute.decide(knowledge, formerLeader: hello.formerLeader, holdExpired: holdExpired) {
        case .admit: try welcome(hello, record: record, on: channel)
        case .redirect: redirect(channel)
        case .hold: hold(hello, record: record, on: channel)
        }
    }

    private func hold(_ hello: AgentHello, record: NodeRecord, on channel: FrameChannel) {
        let handler = LoopBound(WeakHandler(self), loop: channel.connection.loop)
        let accepted = gateway.holds.hold(ObjectIdentifier(channel), formerLeader: hello.formerLeader,
                                          now: gateway.clock.now()) { expired in
            handler.withValueOnLoop { $0.handler?.resumeHeld(record: record, holdExpired: expired) }
        }
        guard accepted else { return redirect(channel) }
        held = hello
        heldChannel = channel
    }

    /// The held hello was decided (or its hold ran out): answer it now.
    private func resumeHeld(record: NodeRecord, holdExpired: Bool) {
        guard let hello = held, let channel = heldChannel, channel.connection.isOpen else { return }
        held = nil
        heldChannel = nil
        do {
            try route(hello, record: record, on: channel, holdExpired: holdExpired)
        } catch {
            channel.close(.protocolViolation(error.description))
        }
    }

    private func welcome(_ hello: AgentHello, record: NodeRecord, on channel: FrameChannel) throws(FrameChannelError) {
        // Checked again: a hold resumed after the view changed, or a new leader's view caught up since the hello.
        if let bound = enrolledRefusal(hello, on: channel) { return refuseHello(bound, on: channel) }
        let certified = record.id
        let term: UInt64, acknowledged: UInt64
        switch gateway.open(node: certified, incarnation: hello.incarnation, channel: channel) {
        case .notActingLeader:
            return redirect(channel)
        case let .tableFull(maximum):
            throw refusal("the leader already holds windows for \(maximum) nodes")
        case let .welcome(leaderTerm, held):
            (term, acknowledged) = (leaderTerm, held)
        }
        node = certified
        channel.send(Frame(kind: FrameKind.agentWelcome.rawValue, payload: AgentSessionCodec.encode(
            AgentWelcome(leaderTerm: term, leaderName: raft.view.selfName, acknowledgedSequence: acknowledged))),
                     what: "welcome", refusalsTo: logger)
        // A full handshake came with a ticket; a resumed one kept the ticket it
        // used, renewed here once it is half way through its lifetime (a new
        // ticket costs the leader a session encoding while a fleet re-attaches).
        ticketKeysGeneration = ticketKeys.generation
        if let age = channel.connection.resumedSessionAge, age > CoordinatorTLS.agentTicketLifetime / 2 {
            channel.connection.issueSessionTicket()
        }
        gateway.recordInventory(record)
        orders?.welcomed(node: certified)
    }

    private func renewTicketAfterRotation(on channel: FrameChannel) {
        let generation = ticketKeys.generation
        guard generation != ticketKeysGeneration else { return }
        ticketKeysGeneration = generation
        channel.connection.issueSessionTicket()
    }

    /// Not the acting leader: say where the leader is, then close.
    private func redirect(_ channel: FrameChannel) {
        channel.send(Frame(kind: FrameKind.agentRedirect.rawValue, payload: gateway.redirect(raft.view)),
                     what: "redirect", refusalsTo: logger)
        channel.close(.local("not the acting leader; agent redirected"))
    }

    private func decoded<Message>(_ decode: () throws(BinaryDecodingError) -> Message) throws(FrameChannelError) -> Message {
        do {
            return try decode()
        } catch {
            throw refusal("malformed frame: \(error)")
        }
    }

    private func refusal(_ reason: String) -> FrameChannelError {
        gateway.noteRefusal()
        return FrameChannelError("agent \(node ?? "(no hello yet)"): \(reason)")
    }
}

/// Lets a held hello's resumption find its handler without keeping it alive.
private final class WeakHandler {
    weak var handler: AgentSessionHandler?
    init(_ handler: AgentSessionHandler) { self.handler = handler }
}
