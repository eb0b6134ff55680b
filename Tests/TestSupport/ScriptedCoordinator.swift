import Certificates
import Glibc
import Locking
import Observability
import Primitives
import Telemetry
import Transport
import Wire

/// A stand-in for a coordinator's agent port in tests: a real mutual-TLS
/// server (a coordinator certificate of the cluster CA; only agent
/// certificates may connect) that speaks the agent session protocol by a
/// script. It answers hello with a welcome or a redirect, stores report
/// samples by sequence and acknowledges the highest contiguous one, answers
/// pings, and records everything it received for the test to inspect. It
/// can send commands and drop every connection on demand. Like the agent
/// port it gives TLS session tickets (from a key ring of its own).
public final class ScriptedCoordinator: @unchecked Sendable {
    /// How the coordinator answers a hello.
    public enum HelloAnswer: Sendable, Equatable {
        /// Welcome as leader of `term`; acknowledges what it already stored of the agent's incarnation.
        case welcome(term: UInt64, leaderName: String)
        /// Redirect (then close) to `address`, which may be empty.
        case redirect(term: UInt64, leaderName: String, address: String)
        /// Say nothing.
        case silence
    }

    /// One hello as received, with the name in the certificate of the connection it came on.
    public struct ReceivedHello: Sendable, Equatable {
        public let hello: AgentHello
        public let certificateName: String?
        /// True when it was the first frame on its connection.
        public let wasFirstFrame: Bool
        /// True when its connection resumed a TLS session (a ticket this coordinator gave).
        public let onResumedConnection: Bool
    }

    private struct State {
        var answer: HelloAnswer
        var acknowledges = true
        var stores = true
        var ackTermOverride: UInt64?
        var hellos: [ReceivedHello] = []
        var reports: [Report] = []
        var results: [AgentCommandResult] = []
        var storedSequences: [UInt64: Set<UInt64>] = [:]
        var connectionCount = 0
    }

    public let group: EventLoopGroup
    public let endpoint: TLSEndpoint
    private let state: Locked<State>
    private let channels = Locked<[LoopBound<FrameChannel>]>([])
    /// The artifacts it serves to agents and the requests it got (`ScriptedCoordinator+Artifacts.swift`).
    let artifacts = Locked(ArtifactScript())

    /// Serves on 127.0.0.1 (port 0: any free port) with the given coordinator credentials.
    public init(certificatePath: String, privateKeyPath: String, caPath: String, answer: HelloAnswer,
                port: UInt16 = 0) throws {
        state = Locked(State(answer: answer))
        group = try EventLoopGroup(loopCount: 1)
        let tickets = SessionTickets(ring: SessionTicketKeyRing([try .generate()]), lifetime: .seconds(3600),
                                     sessionContext: "hotswap-scripted-coordinator")
        let contexts = try TLSContextStore(
            TLSConfiguration(certificateChainPath: certificatePath, privateKeyPath: privateKeyPath, trustRootsPath: caPath,
                             peerVerification: .required(Self.agentsOnly), sessionTickets: tickets),
            side: .server)
        let logger = Logger(component: "scripted-coordinator", sink: LogSink.capturing().0)
        var made: TLSEndpoint?
        let box = Unowned()
        made = TLSEndpoint(name: "agent", address: try SocketAddress(host: "127.0.0.1", port: port), group: group,
                           contexts: contexts, maximumConnections: 64, logger: logger, metrics: MetricsRegistry()) { connection in
            FrameChannel(connection: connection, frameSizeMaximumBytes: FrameCodec.frameSizeMaximumBytesDefault,
                         idleTimeout: .seconds(30), receiver: ScriptedChannel(owner: box))
        }
        endpoint = made!
        box.coordinator = self
        do {
            try endpoint.start()
        } catch {
            group.shutdown()
            throw error
        }
    }

    public var port: UInt16 { endpoint.boundAddress.port }
    public var address: String { "127.0.0.1:\(port)" }

    public func setAnswer(_ answer: HelloAnswer) { state.withLock { $0.answer = answer } }
    /// Stop (or resume) acknowledging reports.
    public func setAcknowledges(_ value: Bool) { state.withLock { $0.acknowledges = value } }
    /// Stop (or resume) storing reports: a coordinator that loses them (still recorded in `reports`).
    public func setStores(_ value: Bool) { state.withLock { $0.stores = value } }
    /// Acknowledge with this term instead of the welcome's.
    public func setAcknowledgementTerm(_ term: UInt64?) { state.withLock { $0.ackTermOverride = term } }

    public var hellos: [ReceivedHello] { state.withLock { $0.hellos } }
    public var reports: [Report] { state.withLock { $0.reports } }
    public var commandResults: [AgentCommandResult] { state.withLock { $0.results } }
    public var connectionCount: Int { state.withLock { $0.connectionCount } }
    public var openChannelCount: Int { channels.withLock { $0.count } }

    /// Every sample sequence stored for `incarnation`, ascending.
    public func storedSequences(incarnation: UInt64) -> [UInt64] {
        state.withLock { ($0.storedSequences[incarnation] ?? []).sorted() }
    }

    /// Every sample received in reports, in arrival order (resends included).
    public var receivedSamples: [Sample] { state.withLock { $0.reports.flatMap(\.samples) } }

    /// Sends `command` on every open connection.
    public func send(_ command: AgentCommand) {
        let frame = Frame(kind: FrameKind.agentCommand.rawValue, payload: AgentSessionCodec.encode(command))
        broadcast(frame)
    }

    /// Sends raw frame bytes on every open connection (for malformed-input tests).
    public func broadcast(_ frame: Frame) {
        for channel in channels.withLock({ $0 }) {
            channel.loop.runAndWait { channel.value.sendScripted(frame) }
        }
    }

    /// Closes every open connection (the agent sees its leader vanish).
    public func closeConnections() {
        for channel in channels.withLock({ $0 }) {
            channel.loop.runAndWait { channel.value.close(.local("scripted close")) }
        }
    }

    public func shutdown() {
        endpoint.stopAccepting()
        endpoint.drain(timeout: .seconds(2))
        group.shutdown()
    }

    // MARK: - Called on the loop by ScriptedChannel

    fileprivate func opened(_ channel: FrameChannel) {
        state.withLock { $0.connectionCount += 1 }
        channels.withLock { $0.append(LoopBound(channel, loop: channel.connection.loop)) }
    }

    fileprivate func closed(_ channel: FrameChannel) {
        channels.withLock { list in list.removeAll { $0.loop.inEventLoop && $0.value === channel } }
    }

    fileprivate func received(_ frame: Frame, on channel: FrameChannel, isFirst: Bool) throws(FrameChannelError) {
        switch FrameKind(rawValue: frame.kind) {
        case .agentHello:
            guard let hello = try? AgentSessionCodec.decodeHello(frame.payload) else { throw FrameChannelError("bad hello") }
            try answer(hello, on: channel, isFirst: isFirst)
        case .report:
            guard let report = try? ReportCodec.decodeReport(frame.payload) else { throw FrameChannelError("bad report") }
            store(report, on: channel)
        case .agentCommandResult:
            guard let result = try? AgentSessionCodec.decodeCommandResult(frame.payload) else {
                throw FrameChannelError("bad command result")
            }
            state.withLock { $0.results.append(result) }
        case .ping:
            channel.sendScripted(Frame(kind: FrameKind.pong.rawValue, payload: frame.payload))
        case .artifactRequest:
            try artifactRequested(frame, on: channel)
        default:
            throw FrameChannelError("unexpected frame kind \(frame.kind)")
        }
    }

    private func answer(_ hello: AgentHello, on channel: FrameChannel, isFirst: Bool) throws(FrameChannelError) {
        let (answer, acknowledged) = state.withLock { state in
            state.hellos.append(ReceivedHello(hello: hello, certificateName: channel.peer?.name, wasFirstFrame: isFirst,
                                               onResumedConnection: channel.connection.isResumed))
            return (state.answer, Self.contiguous(state.storedSequences[hello.incarnation] ?? []))
        }
        switch answer {
        case let .welcome(term, leaderName):
            let welcome = AgentWelcome(leaderTerm: term, leaderName: leaderName, acknowledgedSequence: acknowledged)
            channel.sendScripted(Frame(kind: FrameKind.agentWelcome.rawValue, payload: AgentSessionCodec.encode(welcome)))
        case let .redirect(term, leaderName, address):
            let redirect = AgentRedirect(term: term, leaderName: leaderName, leaderAgentAddress: address)
            channel.sendScripted(Frame(kind: FrameKind.agentRedirect.rawValue, payload: AgentSessionCodec.encode(redirect)))
            channel.close(.local("redirected"))
        case .silence:
            break
        }
    }

    private func store(_ report: Report, on channel: FrameChannel) {
        let reply: ReportAck? = state.withLock { state in
            state.reports.append(report)
            guard state.stores else { return nil }
            var stored = state.storedSequences[report.agentIncarnation] ?? []
            for offset in report.samples.indices { stored.insert(report.firstSequence + UInt64(offset)) }
            state.storedSequences[report.agentIncarnation] = stored
            guard state.acknowledges else { return nil }
            let term: UInt64
            switch state.answer {
            case let .welcome(welcomeTerm, _): term = state.ackTermOverride ?? welcomeTerm
            default: term = state.ackTermOverride ?? 0
            }
            return ReportAck(leaderTerm: term, acknowledgedSequence: Self.contiguous(stored))
        }
        if let reply { channel.sendScripted(Frame(kind: FrameKind.reportAck.rawValue, payload: ReportCodec.encode(reply))) }
    }

    /// The highest n such that 1...n are all stored (0 when 1 is not).
    static func contiguous(_ stored: Set<UInt64>) -> UInt64 {
        var sequence: UInt64 = 0
        while stored.contains(sequence + 1) { sequence += 1 }
        return sequence
    }

    static let agentsOnly: PeerAuthorizer = { certificate in
        guard let identity = NodeIdentity.identity(ofCertificate: certificate), identity.role == .agent else {
            return .failure(PeerRejection("only agents may connect"))
        }
        return .success(AuthenticatedPeer(role: identity.role.rawValue, name: identity.name))
    }
}

/// Lets each connection's receiver reach the coordinator made after it.
private final class Unowned: @unchecked Sendable {
    weak var coordinator: ScriptedCoordinator?
}

/// One connection's side of the script.
private final class ScriptedChannel: FrameReceiver {
    private let owner: Unowned
    private var framesSeen = 0

    init(owner: Unowned) { self.owner = owner }

    func channelDidOpen(_ channel: FrameChannel) { owner.coordinator?.opened(channel) }

    func channel(_ channel: FrameChannel, didReceive frame: Frame) throws(FrameChannelError) {
        framesSeen += 1
        try owner.coordinator?.received(frame, on: channel, isFirst: framesSeen == 1)
    }

    func channelDidClose(_ channel: FrameChannel, reason: CloseReason) { owner.coordinator?.closed(channel) }
}

private extension FrameChannel {
    /// The script's frames are small: one refused for its size is a broken test.
    func sendScripted(_ frame: Frame) {
        do { try send(frame) } catch { preconditionFailure("a scripted frame was refused: \(error)") }
    }
}
