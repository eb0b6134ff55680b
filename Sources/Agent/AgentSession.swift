import Observability
import Primitives
import Telemetry
import Transport
import Wire

/// The agent's conversation with the coordinators, on the agent's event
/// loop: one `FrameLink` at a time to the current coordinator; hello on every
/// connection; reports every interval once welcomed; redirects followed;
/// after repeated failures the next coordinator of `--coordinators`, with a
/// jittered, bounded backoff. Every frame a coordinator sends passes the
/// fencing check (`AgentSession+Frames.swift`). Confined to its loop.
public final class AgentSession: FrameLinkReceiver {
    enum Phase: Equatable {
        /// No link: stopped, or waiting to dial another coordinator.
        case idle
        /// The link is dialling (or redialling after a drop); no hello sent on it yet.
        case connecting
        /// Hello sent; waiting for welcome or redirect.
        case awaitingAnswer
        case welcomed(leaderTerm: UInt64, leaderName: String)

        var name: String {
            switch self {
            case .idle: "idle"
            case .connecting: "connecting"
            case .awaitingAnswer: "awaiting answer"
            case .welcomed: "welcomed"
            }
        }
    }

    let loop: EventLoop
    let configuration: AgentConfiguration
    let terms: any TermRecord
    let logger: Logger
    let incarnation: UInt64
    private let contexts: TLSContextStore
    /// The newest TLS session ticket a coordinator gave; offered to whichever
    /// one this session dials next, so re-attaching skips a full handshake.
    private let resumption: TLSSessionCache
    private let sampler: any SampleSource
    private let prober: HealthProber?
    var buffer: SampleBuffer
    private(set) var reportInterval: Duration
    var link: FrameLink?
    var target: CoordinatorAddress
    private var listIndex = 0
    var phase: Phase = .idle
    var failuresAtTarget = 0
    var redirectsWithoutWelcome = 0
    /// The leader lost since the last welcome, told to the next coordinator.
    var formerLeader: FormerLeader?
    /// Connections to the other coordinators with no hello on them, and the
    /// timer that opens them (`AgentSession+Standby.swift`).
    var standbys: [Standby] = []
    var standbyTimer: TimerID?
    var moveBackoff: Backoff
    private var linkSeed: UInt64
    private var tickTimer: TimerID?
    private var nextTickAt = MonotonicInstant.now()
    private var answerTimer: TimerID?
    private var moveTimer: TimerID?
    private(set) var isStopped = true

    /// A session for `configuration.name`, confined to `loop`. `sampler` and
    /// `terms` are the host's collectors and the term file in an agent; the
    /// agent-fleet benchmark gives synthetic samples and volatile terms.
    public init(loop: EventLoop, configuration: AgentConfiguration, contexts: TLSContextStore, terms: any TermRecord,
                sampler: any SampleSource, prober: HealthProber?, incarnation: UInt64, logger: Logger) {
        precondition(!configuration.coordinators.isEmpty, "an agent needs a coordinator to dial")
        self.loop = loop
        self.configuration = configuration
        self.contexts = contexts
        resumption = TLSSessionCache(loop: loop)
        self.terms = terms
        self.sampler = sampler
        self.prober = prober
        self.incarnation = incarnation
        self.logger = logger
        buffer = SampleBuffer(capacity: configuration.session.bufferCapacity)
        reportInterval = configuration.reportInterval
        target = configuration.coordinators[0]
        linkSeed = incarnation ^ 0x6167_656E_742D_6C6B
        moveBackoff = Backoff(initial: configuration.session.backoffInitial, maximum: configuration.session.backoffMaximum,
                              seed: incarnation)
    }

    public func start() {
        loop.preconditionInLoop()
        guard isStopped else { return }
        isStopped = false
        prober?.requestRound()
        nextTickAt = MonotonicInstant.now()
        scheduleTick()
        connect(to: target)
    }

    /// Sends what is pending if welcomed, then closes the link (a graceful TLS
    /// close that flushes what is queued) and cancels every timer.
    public func stop() {
        loop.preconditionInLoop()
        guard !isStopped else { return }
        isStopped = true
        sendReports()
        for timer in [tickTimer, answerTimer, moveTimer].compactMap({ $0 }) { loop.cancelTimer(timer) }
        tickTimer = nil
        answerTimer = nil
        moveTimer = nil
        dropStandbys()
        link?.stop()
        link = nil
        phase = .idle
    }

    // MARK: - Dialling and moving between coordinators

    private func connect(to address: CoordinatorAddress) {
        if promoteStandby(to: address) { return }
        link?.stop()
        target = address
        let made = makeLink(to: address)
        link = made
        phase = .connecting
        logger.debug("dialling coordinator", ["address": "\(address)"])
        made.start()
    }

    /// A link to `address` that resumes this session's TLS session when it
    /// can. A standby pings less often, and redials a coordinator that is
    /// gone no more often than standbys are opened.
    func makeLink(to address: CoordinatorAddress, standby: Bool = false) -> FrameLink {
        linkSeed &+= 0x9E37_79B9_7F4A_7C15
        let session = configuration.session
        var settings = FrameLink.Settings()
        settings.keepaliveInterval = standby ? session.standbyKeepaliveInterval : session.keepaliveInterval
        settings.idleTimeout = standby ? session.standbyIdleTimeout : session.idleTimeout
        settings.queueFramesMaximum = 1
        var backoffMaximum = session.backoffMaximum
        if standby { backoffMaximum = max(backoffMaximum, session.standbyDelayMaximum ?? backoffMaximum) }
        return FrameLink(loop: loop, address: address.address, serverName: address.serverName, contexts: contexts,
                         settings: settings,
                         backoff: Backoff(initial: session.backoffInitial, maximum: backoffMaximum, seed: linkSeed),
                         receiver: self, sessionCache: resumption)
    }

    /// New credentials were loaded: the held ticket, and any that connections
    /// made with the old certificate receive later, are not offered again, so
    /// the next connection presents the new certificate in a full handshake.
    func credentialsReloaded() {
        resumption.clear()
    }

    /// Drops the current link and dials `next`, at once or after the backoff.
    func move(to next: CoordinatorAddress, immediately: Bool) {
        cancelAnswerTimer()
        link?.stop()
        link = nil
        phase = .idle
        failuresAtTarget = 0
        target = next
        if let moveTimer { loop.cancelTimer(moveTimer) }
        moveTimer = nil
        let standbyReady = standbys.contains { $0.target == next && $0.link.isConnected }
        guard !immediately, !standbyReady else { return connect(to: next) }
        let delay = moveBackoff.nextDelay()
        moveTimer = loop.scheduleTimer(at: MonotonicInstant.now().advanced(by: delay)) { [weak self] in
            guard let self, !isStopped else { return }
            moveTimer = nil
            connect(to: target)
        }
    }

    /// Moves to the next coordinator of the configured list, after the
    /// backoff, passing over `avoiding` (a leader just lost) when the list
    /// has another.
    func rotate(because reason: String, avoiding: CoordinatorAddress? = nil) {
        let coordinators = configuration.coordinators
        for _ in coordinators.indices {
            listIndex = (listIndex + 1) % coordinators.count
            if coordinators[listIndex] != avoiding { break }
        }
        let next = connectedStandbyTarget(avoiding: avoiding) ?? coordinators[listIndex]
        logger.info("trying the next coordinator", ["from": "\(target)", "to": "\(next)", "reason": reason])
        move(to: next, immediately: false)
    }

    /// Remembers the leader this session was welcomed by, if any, so the
    /// next hello tells a follower which leader it lost.
    func noteLeaderLost() {
        guard case let .welcomed(term, leader) = phase else { return }
        formerLeader = FormerLeader(name: leader, term: term)
    }

    /// Counts a failed attempt at the current coordinator; rotates after
    /// `failuresBeforeRotation` of them. The link redials by itself otherwise.
    func noteFailure(_ reason: String) {
        failuresAtTarget += 1
        if failuresAtTarget >= configuration.session.failuresBeforeRotation { rotate(because: reason) }
    }

    /// Gives up on the current connection (bad frame, unpersistable term):
    /// counts a failure and redials the same coordinator after the backoff.
    func abandonConnection(_ reason: String) {
        logger.warning("closing the coordinator connection", ["address": "\(target)", "reason": reason])
        failuresAtTarget += 1
        if failuresAtTarget >= configuration.session.failuresBeforeRotation { return rotate(because: reason) }
        let failures = failuresAtTarget
        move(to: target, immediately: false)
        failuresAtTarget = failures
    }

    // MARK: - FrameLinkReceiver

    public func linkDidConnect(_ link: FrameLink) {
        guard link === self.link, !isStopped else { return }
        sendHello(on: link)
    }

    func sendHello(on link: FrameLink) {
        phase = .awaitingAnswer
        link.send(Frame(kind: FrameKind.agentHello.rawValue, payload: AgentSessionCodec.encode(hello())), what: "hello",
                  refusalsTo: logger)
        cancelAnswerTimer()
        answerTimer = loop.scheduleTimer(at: MonotonicInstant.now().advanced(by: configuration.session.answerTimeout)) {
            [weak self] in
            guard let self, self.link === link, phase == .awaitingAnswer else { return }
            answerTimer = nil
            rotate(because: "no welcome or redirect within \(configuration.session.answerTimeout)")
        }
    }

    public func link(_ link: FrameLink, didReceive frame: Frame) {
        guard link === self.link, !isStopped else { return }
        handle(frame, on: link)
    }

    public func linkDidDisconnect(_ link: FrameLink, reason: CloseReason) {
        guard link === self.link, !isStopped else { return }
        cancelAnswerTimer()
        if case let .welcomed(term, leader) = phase {
            // The leader most likely died: the other coordinators know (or will
            // soon elect) the new one, so ask them instead of redialling it.
            logger.warning("lost the leader; asking the next coordinator", [
                "leader": leader, "term": "\(term)", "address": "\(target)", "reason": "\(reason)"])
            noteLeaderLost()
            phase = .connecting
            return rotate(because: "lost the leader: \(reason)", avoiding: target)
        }
        logger.debug("coordinator connection failed", ["address": "\(target)", "reason": "\(reason)"])
        phase = .connecting
        noteFailure("\(reason)")
    }

    func cancelAnswerTimer() {
        if let answerTimer { loop.cancelTimer(answerTimer) }
        answerTimer = nil
    }

    // MARK: - Sampling and reporting

    private func scheduleTick() {
        let now = MonotonicInstant.now()
        nextTickAt = nextTickAt.advanced(by: reportInterval)
        if nextTickAt <= now { nextTickAt = now.advanced(by: reportInterval) }
        tickTimer = loop.scheduleTimer(at: nextTickAt) { [weak self] in self?.tick() }
    }

    private func tick() {
        tickTimer = nil
        guard !isStopped else { return }
        let probes = prober?.takeResults() ?? [:]
        prober?.requestRound()
        var roundTrip: UInt32?
        if let link, link.isConnected, let measured = link.roundTrip {
            roundTrip = UInt32(clamping: measured.wholeNanoseconds / 1_000)
        }
        if let sample = sampler.take(roundTripMicroseconds: roundTrip, probes: probes) {
            buffer.append(sample)
        }
        sendReports()
        scheduleTick()
    }

    /// Applies a new interval from the next tick on.
    func setReportInterval(_ interval: Duration) {
        reportInterval = interval
        if let tickTimer { loop.cancelTimer(tickTimer) }
        nextTickAt = MonotonicInstant.now()
        if !isStopped { scheduleTick() }
    }

    /// Sends every pending sample (at least a heartbeat report) when welcomed.
    func sendReports() {
        guard case .welcomed = phase, let link, link.isConnected else { return }
        let output = ReportBatcher.encode(buffer.pending(maximum: ReportLimits.samplesMaximum), incarnation: incarnation,
                                          highestSeenTerm: terms.highestTerm)
        for violation in output.refused {
            logger.error("a sample could not be encoded and is skipped", ["violation": "\(violation)"])
        }
        for payload in output.reports {
            link.send(Frame(kind: FrameKind.report.rawValue, payload: payload), what: "report", refusalsTo: logger)
        }
    }

    func hello() -> AgentHello {
        var versions: [String: String] = [:]
        for module in configuration.modules where !module.version.isEmpty { versions[module.name] = module.version }
        return AgentHello(nodeName: configuration.name, incarnation: incarnation, highestSeenTerm: terms.highestTerm,
                          reportIntervalMilliseconds: UInt32(clamping: reportInterval.wholeMilliseconds),
                          environment: configuration.environment, labels: configuration.labels,
                          moduleVersions: versions, formerLeader: formerLeader)
    }

    public var status: AgentStatus {
        var leader: String?
        if case let .welcomed(_, name) = phase { leader = name }
        return AgentStatus(highestSeenTerm: terms.highestTerm, leaderName: leader, phase: phase.name,
                           coordinatorAddress: "\(target)", connectedStandbys: connectedStandbyCount,
                           pendingSamples: buffer.count, nextSequence: buffer.nextSequence,
                           droppedSamples: buffer.droppedCount,
                           reportIntervalMilliseconds: UInt32(clamping: reportInterval.wholeMilliseconds))
    }
}

/// A snapshot of a running agent, for logs and tests.
public struct AgentStatus: Sendable, Equatable {
    public var highestSeenTerm: UInt64
    /// The leader's name while welcomed, nil otherwise.
    public var leaderName: String?
    /// Where the session stands: idle, connecting, awaiting answer or welcomed.
    public var phase: String
    /// The coordinator the agent is attached or dialling to.
    public var coordinatorAddress: String
    /// Standby connections to the other coordinators that are up.
    public var connectedStandbys: Int
    public var pendingSamples: Int
    public var nextSequence: UInt64
    public var droppedSamples: UInt64
    public var reportIntervalMilliseconds: UInt32
}
