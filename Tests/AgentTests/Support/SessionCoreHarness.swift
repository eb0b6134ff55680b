@testable import Agent
import Observability
import Telemetry
import TestSupport
import Transport
import Wire
import Primitives

/// Drives an `AgentSessionCore` by hand, as its shell would, on a clock the
/// test moves: each step returns the actions the core asked for.
struct SessionCoreHarness {
    var core: AgentSessionCore
    var now = MonotonicInstant(nanoseconds: 1_000_000_000)
    let coordinators: [CoordinatorAddress]
    /// The core's log lines (warnings and worse).
    let log: LogCapture

    static let addresses = ["10.0.0.1:7001", "10.0.0.2:7001", "10.0.0.3:7001"]

    init(highestSeenTerm: UInt64 = 0, standbyDelayMaximum: Duration? = nil, seed: UInt64 = 1, logSink: LogSink? = nil,
         configure: (inout AgentConfiguration) -> Void = { _ in }) {
        coordinators = Self.addresses.map { try! CoordinatorAddress(parsing: $0) }
        var configuration = AgentConfiguration(name: "node-1", coordinators: coordinators, tlsDirectory: "/nonexistent",
                                               dataDirectory: "/nonexistent")
        configuration.session.standbyDelayMaximum = standbyDelayMaximum
        configure(&configuration)
        // The renewal tests hand their own sink (debug lines too); `log` then captures nothing.
        let (capturing, log) = LogSink.capturing()
        self.log = log
        core = AgentSessionCore(configuration: configuration, incarnation: 77, highestSeenTerm: highestSeenTerm,
                                logger: Logger(component: "session-core", minimumLevel: logSink == nil ? .warning : .debug,
                                               sink: logSink ?? capturing),
                                random: SplitMix64(seed: seed))
    }

    @discardableResult
    mutating func step(_ event: AgentSessionEvent) -> [AgentSessionAction] {
        core.step(event, now: now)
    }

    mutating func advance(by duration: Duration) {
        now = now.advanced(by: duration)
    }

    /// Starts, connects the first link, and returns it.
    mutating func startConnected() -> SessionLinkID {
        step(.started)
        let link = core.link!
        step(.linkConnected(link))
        return link
    }

    /// Delivers `frame` on the current link, answering a `persistTerm` as the term record would.
    @discardableResult
    mutating func receive(_ frame: Frame, persisting: Bool = true) -> [AgentSessionAction] {
        let actions = step(.frameReceived(core.link!, frame))
        guard case let .persistTerm(term)? = actions.last else { return actions }
        return persisting ? step(.termPersisted(highestTerm: term)) : step(.termNotPersisted(.unwritable(
            path: "/data/term", operation: "write", reason: "disk full")))
    }

    /// Connected and welcomed by `leader` at `term`.
    mutating func welcomed(term: UInt64, leader: String = "c1") -> SessionLinkID {
        let link = startConnected()
        receive(welcome(term: term, leader: leader))
        return link
    }
}

func welcome(term: UInt64, leader: String = "c1", acknowledged: UInt64 = 0) -> Frame {
    Frame(kind: FrameKind.agentWelcome.rawValue, payload: AgentSessionCodec.encode(
        AgentWelcome(leaderTerm: term, leaderName: leader, acknowledgedSequence: acknowledged)))
}

func redirect(term: UInt64, leader: String = "c2", address: String) -> Frame {
    Frame(kind: FrameKind.agentRedirect.rawValue, payload: AgentSessionCodec.encode(
        AgentRedirect(term: term, leaderName: leader, leaderAgentAddress: address)))
}

func command(term: UInt64, id: UInt64 = 9, intervalMilliseconds: UInt32 = 500) -> Frame {
    Frame(kind: FrameKind.agentCommand.rawValue, payload: AgentSessionCodec.encode(
        AgentCommand(leaderTerm: term, commandID: id, action: .setReportInterval(milliseconds: intervalMilliseconds))))
}

func acknowledgement(term: UInt64, sequence: UInt64) -> Frame {
    Frame(kind: FrameKind.reportAck.rawValue, payload: ReportCodec.encode(ReportAck(leaderTerm: term,
                                                                                       acknowledgedSequence: sequence)))
}

/// The command results among `actions`, decoded.
func commandResults(in actions: [AgentSessionAction]) throws -> [AgentCommandResult] {
    try actions.compactMap { action in
        guard case let .send(frame, _, _) = action, frame.kind == FrameKind.agentCommandResult.rawValue else { return nil }
        return try AgentSessionCodec.decodeCommandResult(frame.payload)
    }
}

/// The hellos among `actions`, decoded, with the link each goes out on.
func hellos(in actions: [AgentSessionAction]) throws -> [(AgentHello, SessionLinkID)] {
    try actions.compactMap { action in
        guard case let .send(frame, _, link) = action, frame.kind == FrameKind.agentHello.rawValue else { return nil }
        return (try AgentSessionCodec.decodeHello(frame.payload), link)
    }
}

extension [AgentSessionAction] {
    var persistsATerm: Bool { contains { if case .persistTerm = $0 { true } else { false } } }

    var dialled: [CoordinatorAddress] {
        compactMap { if case let .openLink(_, address, false) = $0 { address } else { nil } }
    }

    var moveTimer: MonotonicInstant? {
        lazy.compactMap { if case let .armTimer(.move, at) = $0 { at } else { nil } }.first
    }
}
