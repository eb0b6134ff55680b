@testable import Coordinator
import Cluster
import Fleet
import Locking
import Primitives
import Telemetry
import Transport
import Wire

/// The Raft service as the agent gateway sees it, scripted by a test: the
/// view it publishes, and the writes proposed to it, answered only when the
/// test says (an answered `putNode` shows in the view, as an applied one would).
final class ScriptedGatewayRaft: GatewayRaft, @unchecked Sendable {
    private struct State {
        var view: ClusterView
        var pending: [(request: ClusterRequest, completion: @Sendable (ClusterOutcome) -> Void)] = []
        var proposed: [ClusterRequest] = []
    }

    private let state: Locked<State>

    init(view: ClusterView) {
        state = Locked(State(view: view))
    }

    var view: ClusterView { state.withLock { $0.view } }

    func set(view: ClusterView) {
        state.withLock { $0.view = view }
    }

    func submit(_ request: ClusterRequest, completion: @escaping @Sendable (ClusterOutcome) -> Void) {
        state.withLock { state in
            state.pending.append((request, completion))
            state.proposed.append(request)
        }
    }

    func answerGatewayQuery(_ query: GatewayQuery, completion: @escaping @Sendable (ClusterOutcome) -> Void) {
        completion(.refused(.noLeader("scripted Raft answers no reads")))
    }

    /// The node records every write proposed so far put, in order.
    func proposedRecords() throws -> [NodeRecord] {
        try state.withLock { $0.proposed }.map { request in
            guard case let .write(bytes) = request, case let .putNode(record) = try FleetCodec.decodeCommand(bytes) else {
                throw ScriptError("proposed something other than a node record: \(request)")
            }
            return record
        }
    }

    /// Answers every pending proposal with `outcome`, changing nothing in the view.
    func answerPending(with outcome: ClusterOutcome) {
        let pending = state.withLock { state in
            defer { state.pending.removeAll() }
            return state.pending
        }
        for (_, completion) in pending { completion(outcome) }
    }

    /// Answers every pending proposal: a `putNode` that `succeeds` is applied to the view and
    /// answered as stored; otherwise every proposal is refused for want of a leader.
    func answerPending(succeeding succeeds: Bool) throws {
        let pending = state.withLock { state in
            defer { state.pending.removeAll() }
            return state.pending
        }
        for (request, completion) in pending {
            guard succeeds, case let .write(bytes) = request, case let .putNode(record) = try FleetCodec.decodeCommand(bytes) else {
                completion(.refused(.noLeader("scripted refusal")))
                continue
            }
            state.withLock { $0.view.nodes[record.id] = record }
            completion(.applied(.nodeStored(record, created: true)))
        }
    }
}

/// A test script's own mistake, or an outcome it cannot describe.
struct ScriptError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// An embedded connection that also counts what its handler tries to write
/// or close once it is closed (the embedded one drops that silently), so
/// "nothing is sent after close" is a check that can fail.
final class WatchedConnection: Connection {
    let inner: EmbeddedConnection
    private(set) var writesAfterClose = 0

    init(_ inner: EmbeddedConnection) { self.inner = inner }

    var loop: EventLoop { inner.loop }
    var id: UInt64 { inner.id }
    var remoteAddress: SocketAddress? { inner.remoteAddress }
    var peer: AuthenticatedPeer? { inner.peer }
    var limits: ConnectionLimits { inner.limits }
    var isOpen: Bool { inner.isOpen }
    var isWritable: Bool { inner.isWritable }
    var queuedOutboundBytes: Int { inner.queuedOutboundBytes }
    var isResumed: Bool { inner.isResumed }
    var resumedSessionAge: Duration? { inner.resumedSessionAge }
    var peerCertificateDER: [UInt8]? { inner.peerCertificateDER }

    func write(_ bytes: some Collection<UInt8>) {
        if inner.isClosed { writesAfterClose += 1 }
        inner.write(bytes)
    }

    func close(_ reason: CloseReason) { inner.close(reason) }
    func pauseReading() { inner.pauseReading() }
    func resumeReading() { inner.resumeReading() }
    func closeWhenPeerHangsUp() { inner.closeWhenPeerHangsUp() }
    func setDeadline(_ instant: MonotonicInstant?) { inner.setDeadline(instant) }

    @discardableResult
    func issueSessionTicket() -> Bool { inner.issueSessionTicket() }
}

/// A frame the coordinator sent an agent, decoded.
enum Sent: Equatable, CustomStringConvertible {
    case welcome(AgentWelcome)
    case redirect(AgentRedirect)
    case ack(ReportAck)
    case pong([UInt8])
    case refusal(String)
    case other(kind: UInt8)

    var description: String {
        switch self {
        case let .welcome(welcome): "welcome(term \(welcome.leaderTerm), \(welcome.leaderName), acked \(welcome.acknowledgedSequence))"
        case let .redirect(redirect): "redirect(term \(redirect.term), '\(redirect.leaderName)', '\(redirect.leaderAgentAddress)')"
        case let .ack(ack): "ack(term \(ack.leaderTerm), \(ack.acknowledgedSequence))"
        case let .pong(payload): "pong(\(payload))"
        case let .refusal(reason): "refusal('\(reason)')"
        case let .other(kind): "frame of kind \(kind)"
        }
    }
}

/// One agent's connection to the coordinator under test: it sends what an
/// agent would (the loop then runs), and reads what the coordinator sent.
final class AgentLink {
    let watched: WatchedConnection
    private let embedded: EmbeddedEventLoop
    private var decoder = FrameDecoder()

    init(_ watched: WatchedConnection, embedded: EmbeddedEventLoop) {
        self.watched = watched
        self.embedded = embedded
    }

    var connection: EmbeddedConnection { watched.inner }
    var closeReason: CloseReason? { connection.closeReason }

    func send(_ frame: Frame) {
        sendBytes(FrameCodec.encode(frame))
    }

    func sendBytes(_ bytes: [UInt8]) {
        connection.deliver(bytes)
        embedded.run()
    }

    func send(_ hello: AgentHello) {
        send(Frame(kind: FrameKind.agentHello.rawValue, payload: AgentSessionCodec.encode(hello)))
    }

    func send(_ report: Report) throws {
        send(Frame(kind: FrameKind.report.rawValue, payload: try ReportCodec.encode(report)))
    }

    /// The frames the coordinator sent since the last call, decoded; a frame
    /// that does not decode fails the test (no frame is skipped).
    func received() throws -> [Sent] {
        decoder.append(connection.takeWritten())
        var sent: [Sent] = []
        while let frame = try decoder.next() {
            switch FrameKind(rawValue: frame.kind) {
            case .agentWelcome: sent.append(.welcome(try AgentSessionCodec.decodeWelcome(frame.payload)))
            case .agentRedirect: sent.append(.redirect(try AgentSessionCodec.decodeRedirect(frame.payload)))
            case .reportAck: sent.append(.ack(try ReportCodec.decodeAck(frame.payload)))
            case .pong: sent.append(.pong(frame.payload))
            case .agentRefusal: sent.append(.refusal(try AgentSessionCodec.decodeRefusal(frame.payload)))
            default: sent.append(.other(kind: frame.kind))
            }
        }
        return sent
    }
}
