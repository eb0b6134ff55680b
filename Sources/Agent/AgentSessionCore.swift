import Observability
import Telemetry
import Transport
import Wire
import Primitives

/// The agent's conversation with the coordinators as a state machine, like
/// `RaftNode`: events in (`step`), actions out (`AgentSessionAction`), no
/// loop, socket, clock or file inside. One link at a time to the current
/// coordinator; hello on every connection; reports every interval once
/// welcomed; redirects followed; after repeated failures the next coordinator
/// of `--coordinators`, with a jittered, bounded backoff. Every frame a
/// coordinator sends passes the fencing check (`AgentSessionCore+Frames.swift`).
/// `AgentSession` is the shell that performs the actions.
struct AgentSessionCore {
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

    let configuration: AgentConfiguration
    let incarnation: UInt64
    let logger: Logger
    /// The highest leader term persisted; a frame below it is a deposed coordinator's.
    var highestSeenTerm: UInt64
    var buffer: SampleBuffer
    private(set) var reportInterval: Duration
    private(set) var link: SessionLinkID?
    private(set) var linkIsConnected = false
    var target: CoordinatorAddress
    private var listIndex = 0
    var phase: Phase = .idle
    var failuresAtTarget = 0
    var redirectsWithoutWelcome = 0
    /// The leader lost since the last welcome, told to the next coordinator.
    var formerLeader: FormerLeader?
    /// Connections to the other coordinators with no hello on them (`AgentSessionCore+Standby.swift`).
    var standbys: [Standby] = []
    var moveBackoff: Backoff
    /// A frame whose higher term is being persisted: acted on only once it is.
    var awaitingPersistence: Fenced?
    var random: RandomSource
    /// The committed version of every module this agent installed (reported in hello).
    var installedVersions: [String: String]
    private var nextTickAt = MonotonicInstant(nanoseconds: 0)
    private var nextLinkSerial: UInt64 = 0
    private var armedTimers: Set<AgentSessionTimer> = []
    private(set) var isStopped = true
    /// The time of the event being handled.
    private(set) var now = MonotonicInstant(nanoseconds: 0)
    private var actions: [AgentSessionAction] = []

    init(configuration: AgentConfiguration, incarnation: UInt64, highestSeenTerm: UInt64, logger: Logger,
         installedVersions: [String: String] = [:], random: any RandomNumberGenerator = SystemRandomNumberGenerator()) {
        precondition(!configuration.coordinators.isEmpty, "an agent needs a coordinator to dial")
        self.configuration = configuration
        self.incarnation = incarnation
        self.highestSeenTerm = highestSeenTerm
        self.logger = logger
        self.random = RandomSource(random)
        self.installedVersions = installedVersions
        buffer = SampleBuffer(capacity: configuration.session.bufferCapacity)
        reportInterval = configuration.reportInterval
        target = configuration.coordinators[0]
        moveBackoff = Backoff(initial: configuration.session.backoffInitial, maximum: configuration.session.backoffMaximum,
                              seed: incarnation)
    }

    /// Handles one event at `now` and returns what the shell must do, in order.
    mutating func step(_ event: AgentSessionEvent, now: MonotonicInstant) -> [AgentSessionAction] {
        precondition(now >= self.now, "session time never runs backwards")
        self.now = now
        actions = []
        switch event {
        case .started: start()
        case .stopped: stop()
        case let .linkConnected(id): linkConnected(id)
        case let .linkDisconnected(id, reason): linkDisconnected(id, reason: reason)
        case let .linkBackingOff(id): linkBackingOff(id)
        case let .frameReceived(id, frame): frameReceived(frame, on: id)
        case let .timerFired(timer): timerFired(timer)
        case let .termPersisted(highest): termPersisted(highestTerm: highest)
        case let .termNotPersisted(error): termNotPersisted(error)
        case let .sampleTaken(sample): sampleTaken(sample)
        case let .requestArtifact(request, id): requestArtifact(request, on: id)
        case let .moduleOrderFinished(result, id, versions): moduleOrderFinished(result, on: id, installedVersions: versions)
        case let .renewalReconnect(reason): reconnectForRenewal(reason)
        }
        defer { actions = [] }
        return actions
    }

    mutating func emit(_ action: AgentSessionAction) {
        actions.append(action)
    }

    mutating func arm(_ timer: AgentSessionTimer, after delay: Duration) {
        armedTimers.insert(timer)
        emit(.armTimer(timer, at: now.advanced(by: delay)))
    }

    mutating func cancel(_ timer: AgentSessionTimer) {
        guard armedTimers.remove(timer) != nil else { return }
        emit(.cancelTimer(timer))
    }

    func isArmed(_ timer: AgentSessionTimer) -> Bool { armedTimers.contains(timer) }

    mutating func makeLinkID() -> SessionLinkID {
        nextLinkSerial += 1
        return SessionLinkID(serial: nextLinkSerial)
    }

    private mutating func start() {
        guard isStopped else { return }
        isStopped = false
        nextTickAt = now
        scheduleTick()
        connect(to: target)
    }

    /// Sends what is pending if welcomed, then stops every link and timer.
    private mutating func stop() {
        guard !isStopped else { return }
        isStopped = true
        sendReports()
        for timer in [AgentSessionTimer.tick, .answer, .move] { cancel(timer) }
        dropStandbys()
        stopLink()
        phase = .idle
    }

    private mutating func timerFired(_ timer: AgentSessionTimer) {
        guard armedTimers.remove(timer) != nil, !isStopped else { return }
        switch timer {
        case .tick: emit(.takeSample)
        case .answer:
            guard phase == .awaitingAnswer else { return }
            rotate(because: "no welcome or redirect within \(configuration.session.answerTimeout)")
        case .move: connect(to: target)
        case .standby: openStandbys()
        }
    }

    // MARK: - Dialling and moving between coordinators

    private mutating func connect(to address: CoordinatorAddress) {
        if promoteStandby(to: address) { return }
        stopLink()
        target = address
        let id = makeLinkID()
        link = id
        linkIsConnected = false
        phase = .connecting
        logger.debug("dialling coordinator", ["address": "\(address)"])
        emit(.openLink(id, address, standby: false))
    }

    mutating func stopLink() {
        if let link { emit(.stopLink(link)) }
        link = nil
        linkIsConnected = false
    }

    /// Makes `id`, a connected link to `address`, the session's link.
    mutating func adopt(_ id: SessionLinkID, to address: CoordinatorAddress) {
        stopLink()
        link = id
        linkIsConnected = true
        target = address
    }

    /// Drops the current link and dials `next`, at once or after the backoff.
    mutating func move(to next: CoordinatorAddress, immediately: Bool) {
        cancel(.answer)
        stopLink()
        phase = .idle
        failuresAtTarget = 0
        target = next
        cancel(.move)
        let standbyReady = standbys.contains { $0.target == next && $0.isConnected }
        guard !immediately, !standbyReady else { return connect(to: next) }
        arm(.move, after: moveBackoff.nextDelay())
    }

    /// Moves to the next coordinator of the configured list, after the
    /// backoff, passing over `avoiding` (a leader just lost) when the list
    /// has another.
    mutating func rotate(because reason: String, avoiding: CoordinatorAddress? = nil) {
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
    mutating func noteLeaderLost() {
        guard case let .welcomed(term, leader) = phase else { return }
        formerLeader = FormerLeader(name: leader, term: term)
    }

    /// A connection keeps the certificate (and the kind of handshake) it was opened with: renewal
    /// replaces the welcomed connection by one to the same coordinator at once, logging why.
    private mutating func reconnectForRenewal(_ reason: RenewalReconnect) {
        guard !isStopped, link != nil else { return }
        logger.info(reason.logMessage, ["address": "\(target)"])
        move(to: target, immediately: true)
    }

    /// Counts a failed attempt at the current coordinator; rotates after
    /// `failuresBeforeRotation` of them. The link redials by itself otherwise.
    private mutating func noteFailure(_ reason: String) {
        failuresAtTarget += 1
        if failuresAtTarget >= configuration.session.failuresBeforeRotation { rotate(because: reason) }
    }

    /// Gives up on the current connection (bad frame, unpersistable term):
    /// counts a failure and redials the same coordinator after the backoff.
    mutating func abandonConnection(_ reason: String) {
        logger.warning("closing the coordinator connection", ["address": "\(target)", "reason": reason])
        failuresAtTarget += 1
        if failuresAtTarget >= configuration.session.failuresBeforeRotation { return rotate(because: reason) }
        let failures = failuresAtTarget
        move(to: target, immediately: false)
        failuresAtTarget = failures
    }

    // MARK: - Link events

    private mutating func linkConnected(_ id: SessionLinkID) {
        if let index = standbys.firstIndex(where: { $0.link == id }) { standbys[index].isConnected = true }
        guard id == link, !isStopped else { return }
        linkIsConnected = true
        sendHello(on: id)
    }

    mutating func sendHello(on id: SessionLinkID) {
        phase = .awaitingAnswer
        emit(.send(Frame(kind: FrameKind.agentHello.rawValue, payload: AgentSessionCodec.encode(hello())), what: "hello",
                   on: id))
        cancel(.answer)
        arm(.answer, after: configuration.session.answerTimeout)
    }

    private mutating func linkDisconnected(_ id: SessionLinkID, reason: CloseReason) {
        if let index = standbys.firstIndex(where: { $0.link == id }) { standbys[index].isConnected = false }
        guard id == link, !isStopped else { return }
        linkIsConnected = false
        cancel(.answer)
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
    }

    /// One failed dial of the current coordinator (however many addresses its name has): a
    /// connection that closes only ends one address of the dial, so it is not counted itself.
    private mutating func linkBackingOff(_ id: SessionLinkID) {
        guard id == link, !isStopped, !linkIsConnected else { return }
        if case .welcomed = phase { return }
        noteFailure("every address failed")
    }

    private mutating func frameReceived(_ frame: Frame, on id: SessionLinkID) {
        guard id == link, !isStopped else { return }
        precondition(awaitingPersistence == nil, "the shell answers persistTerm before delivering another frame")
        handle(frame, on: id)
    }

    // MARK: - Sampling and reporting

    private mutating func scheduleTick() {
        nextTickAt = nextTickAt.advanced(by: reportInterval)
        if nextTickAt <= now { nextTickAt = now.advanced(by: reportInterval) }
        armedTimers.insert(.tick)
        emit(.armTimer(.tick, at: nextTickAt))
    }

    private mutating func sampleTaken(_ sample: Sample?) {
        guard !isStopped else { return }
        if let sample { buffer.append(sample) }
        sendReports()
        scheduleTick()
    }

    /// Applies a new interval from the next tick on.
    mutating func setReportInterval(_ interval: Duration) {
        reportInterval = interval
        cancel(.tick)
        nextTickAt = now
        if !isStopped { scheduleTick() }
    }

    /// Sends every pending sample (at least a heartbeat report) when welcomed.
    mutating func sendReports() {
        guard case .welcomed = phase, let link, linkIsConnected else { return }
        let output = ReportBatcher.encode(buffer.pending(maximum: ReportLimits.samplesMaximum), incarnation: incarnation,
                                          highestSeenTerm: highestSeenTerm)
        for violation in output.refused {
            logger.error("a sample could not be encoded and is skipped", ["violation": "\(violation)"])
        }
        for payload in output.reports { emit(.sendReport(payload, on: link)) }
    }

    /// The hello this session sends on every new connection: the `--module` watches' versions and
    /// every installed module's committed version (which wins for a name in both), at most
    /// `AgentSessionLimits.modulesMaximum` of them (installed ones first, then by name).
    func hello() -> AgentHello {
        var versions = installedVersions
        for module in configuration.modules.sorted(by: { $0.name < $1.name })
        where !module.version.isEmpty && versions[module.name] == nil && versions.count < AgentSessionLimits.modulesMaximum {
            versions[module.name] = module.version
        }
        return AgentHello(nodeName: configuration.name, incarnation: incarnation, highestSeenTerm: highestSeenTerm,
                          reportIntervalMilliseconds: UInt32(clamping: reportInterval.wholeMilliseconds),
                          environment: configuration.environment, labels: configuration.labels,
                          moduleVersions: versions, formerLeader: formerLeader)
    }

    var status: AgentStatus {
        var leader: String?
        if case let .welcomed(_, name) = phase { leader = name }
        return AgentStatus(highestSeenTerm: highestSeenTerm, leaderName: leader, phase: phase.name,
                           coordinatorAddress: "\(target)", connectedStandbys: connectedStandbyCount,
                           pendingSamples: buffer.count, nextSequence: buffer.nextSequence,
                           droppedSamples: buffer.droppedCount,
                           reportIntervalMilliseconds: UInt32(clamping: reportInterval.wholeMilliseconds))
    }
}

/// The core's randomness (standby delays, which survivor to ask): the
/// system's in an agent, a seeded one in tests so a run replays.
struct RandomSource: RandomNumberGenerator {
    private var source: any RandomNumberGenerator

    init(_ source: any RandomNumberGenerator) { self.source = source }

    mutating func next() -> UInt64 { source.next() }
}
