import Fleet
import Observability
import Telemetry
import Transport
import Wire

/// One agent connection on the agent port. The first frame must be a hello
/// naming the node its certificate names; a coordinator that is not the
/// acting leader answers with a redirect and closes. Then reports are
/// stored and acknowledged. A malformed or unexpected frame closes this
/// connection only.
final class AgentSessionHandler: FrameReceiver {
    private let gateway: AgentGateway
    private let raft: RaftService
    private let logger: Logger
    /// The node this session speaks for, once its hello was accepted.
    private var node: String?

    init(gateway: AgentGateway, raft: RaftService, logger: Logger) {
        self.gateway = gateway
        self.raft = raft
        self.logger = logger
    }

    func channelDidOpen(_ channel: FrameChannel) {}

    func channel(_ channel: FrameChannel, didReceive frame: Frame) throws(FrameChannelError) {
        let receivedAt = MonotonicInstant.now()
        switch FrameKind(rawValue: frame.kind) {
        case .ping:
            channel.send(Frame(kind: FrameKind.pong.rawValue, payload: frame.payload))
        case .agentHello:
            try accept(try decoded { () throws(BinaryDecodingError) in try AgentSessionCodec.decodeHello(frame.payload) },
                       on: channel)
        case .report:
            guard let node else { throw refusal("a report before hello") }
            let report = try decoded { () throws(BinaryDecodingError) in try ReportCodec.decodeReport(frame.payload) }
            switch gateway.ingest(report, from: node, receivedAt: receivedAt) {
            case let .acknowledged(ack):
                channel.send(Frame(kind: FrameKind.reportAck.rawValue, payload: ReportCodec.encode(ack)))
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
        default:
            throw refusal("unexpected frame kind \(frame.kind)")
        }
    }

    func channelDidClose(_ channel: FrameChannel, reason: CloseReason) {
        if let node { gateway.close(node: node, channel: channel) }
    }

    private func accept(_ hello: AgentHello, on channel: FrameChannel) throws(FrameChannelError) {
        guard node == nil else { throw refusal("a second hello") }
        guard let certified = channel.peer?.name else { throw refusal("no certificate identity") }
        guard hello.nodeName == certified else {
            throw refusal("hello claims node '\(hello.nodeName)' but the certificate names '\(certified)'")
        }
        let record = NodeRecord(id: certified, environment: hello.environment, labels: hello.labels,
                                moduleVersions: hello.moduleVersions)
        if let invalidity = record.invalidity { throw refusal("node \(certified): \(invalidity)") }
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
            AgentWelcome(leaderTerm: term, leaderName: raft.selfMember.name, acknowledgedSequence: acknowledged))))
        gateway.recordInventory(record)
    }

    /// Not the acting leader: say where the leader is, then close.
    private func redirect(_ channel: FrameChannel) {
        channel.send(Frame(kind: FrameKind.agentRedirect.rawValue, payload: gateway.redirect(raft.view)))
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
