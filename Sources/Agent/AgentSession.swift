import HostInstall
import Observability
import Primitives
import Telemetry
import Transport
import Wire

/// The agent's conversation with the coordinators, on the agent's event
/// loop: the shell around `AgentSessionCore`, which decides everything. It
/// feeds the core what happens (links, frames, timers, the term record's
/// answers, samples) and performs what the core asks: dialling `FrameLink`s,
/// sending, arming loop timers, persisting the term. Confined to its loop.
public final class AgentSession: FrameLinkReceiver {
    let loop: EventLoop
    let configuration: AgentConfiguration
    let terms: any TermRecord
    let logger: Logger
    let incarnation: UInt64
    private let contexts: TLSContextStore
    /// Resolves coordinators' host names off this loop; its owner stops it after the session.
    private let resolver: HostResolver
    /// Dials whose coordinator name gave no address, and the last such failure logged.
    private var resolutionFailures = 0
    private var lastResolutionFailure = ""
    /// The newest TLS session ticket a coordinator gave; offered to whichever
    /// one this session dials next, so re-attaching skips a full handshake.
    private let resumption: TLSSessionCache
    private let sampler: any SampleSource
    private let prober: HealthProber?
    /// The modules this agent installs; nil where nothing installs (the agent-fleet benchmark).
    private let modules: AgentModules?
    /// Where orders go when `modules` is nil: the benchmarks' simulated hosts; nil refuses them.
    private let responder: (any ModuleOrderResponder)?
    private var core: AgentSessionCore
    /// Renews the certificate (only in an agent, never in the agent-fleet benchmark).
    private var renewer: CertificateRenewer?
    private var links: [SessionLinkID: FrameLink] = [:]
    private var timers: [AgentSessionTimer: TimerID] = [:]
    private var linkSeed: UInt64
    /// Events not yet given to the core: one handled at a time, in order, even
    /// when performing an action makes another.
    private var pendingEvents: [AgentSessionEvent] = []
    private var isHandlingEvents = false

    /// Events one `handle` call gives the core at most; more means two answers feed each other.
    static let eventsPerHandleMaximum = 64

    /// A session for `configuration.name`, confined to `loop`. `sampler` and
    /// `terms` are the host's collectors and the term file in an agent; the
    /// agent-fleet benchmark gives synthetic samples and volatile terms, and a `responder` that
    /// answers module orders as a simulated host (without one, orders are refused).
    public convenience init(loop: EventLoop, configuration: AgentConfiguration, contexts: TLSContextStore, resolver: HostResolver,
                            terms: any TermRecord, sampler: any SampleSource, prober: HealthProber?,
                            responder: (any ModuleOrderResponder)? = nil, incarnation: UInt64, logger: Logger) {
        self.init(loop: loop, configuration: configuration, contexts: contexts, resolver: resolver, terms: terms, sampler: sampler,
                  prober: prober, modules: nil, responder: responder, incarnation: incarnation, logger: logger)
    }

    init(loop: EventLoop, configuration: AgentConfiguration, contexts: TLSContextStore, resolver: HostResolver, terms: any TermRecord,
         sampler: any SampleSource, prober: HealthProber?, modules: AgentModules?, responder: (any ModuleOrderResponder)? = nil,
         incarnation: UInt64, logger: Logger, renews: Bool = false) {
        self.loop = loop
        self.configuration = configuration
        self.contexts = contexts
        self.resolver = resolver
        resumption = TLSSessionCache(loop: loop)
        self.terms = terms
        self.sampler = sampler
        self.prober = prober
        self.modules = modules
        self.responder = responder
        self.incarnation = incarnation
        self.logger = logger
        core = AgentSessionCore(configuration: configuration, incarnation: incarnation, highestSeenTerm: terms.highestTerm,
                                logger: logger, installedVersions: modules?.installedVersions ?? [:])
        linkSeed = incarnation ^ 0x6167_656E_742D_6C6B
        if renews {
            renewer = CertificateRenewer(loop: loop, configuration: configuration, contexts: contexts, logger: logger,
                                         welcomedLink: { [weak self] in self?.core.welcomedLink.flatMap { self?.links[$0] } },
                                         reconnect: { [weak self] reason in
                                             self?.credentialsReloaded()
                                             self?.handle(.renewalReconnect(reason))
                                         })
        }
    }

    public func start() {
        loop.preconditionInLoop()
        guard core.isStopped else { return }
        prober?.requestRound()
        handle(.started)
        renewer?.start()
    }

    /// Sends what is pending if welcomed, then closes the link (a graceful TLS
    /// close that flushes what is queued) and cancels every timer.
    public func stop() {
        loop.preconditionInLoop()
        renewer?.stop()
        handle(.stopped)
    }

    public var status: AgentStatus { core.status }

    /// New credentials were loaded: the held ticket, and any that connections
    /// made with the old certificate receive later, are not offered again, so
    /// the next connection presents the new certificate in a full handshake.
    func credentialsReloaded() {
        resumption.clear()
    }

    // MARK: - FrameLinkReceiver

    public func linkDidConnect(_ link: FrameLink) {
        if let id = identifier(of: link) { handle(.linkConnected(id)) }
    }

    public func link(_ link: FrameLink, didReceive frame: Frame) {
        if let id = identifier(of: link) { handle(.frameReceived(id, frame)) }
    }

    public func linkDidDisconnect(_ link: FrameLink, reason: CloseReason) {
        guard let id = identifier(of: link) else { return }
        modules?.linkEnded(id, reason: "the connection closed: \(reason)")
        if core.welcomedLink == id { renewer?.linkLost() }
        handle(.linkDisconnected(id, reason: reason))
    }

    public func linkWillBackOff(_ link: FrameLink) {
        if let id = identifier(of: link) { handle(.linkBackingOff(id)) }
    }

    /// Logged when the reason changes and every `resolutionFailuresPerLog`-th time, counted always: a name
    /// that does not resolve yet (a coordinator not scheduled) is redialled after the link's backoff.
    public func link(_ link: FrameLink, didFailToResolve failure: ResolutionFailure) {
        resolutionFailures += 1
        let why = "\(failure)"
        guard why != lastResolutionFailure || resolutionFailures % Self.resolutionFailuresPerLog == 0 else { return }
        lastResolutionFailure = why
        logger.warning("coordinator address did not resolve; redialling",
                       ["address": "\(link.target)", "reason": why, "failures": "\(resolutionFailures)"])
    }

    static let resolutionFailuresPerLog = 64

    /// From the module worker, through the loop: an artifact request to send, or an order's result.
    func moduleEvent(_ event: AgentSessionEvent) {
        guard !core.isStopped else {
            if case let .requestArtifact(_, id) = event { modules?.linkEnded(id, reason: "the session stopped") }
            return
        }
        handle(event)
    }

    private func identifier(of link: FrameLink) -> SessionLinkID? {
        links.first { $0.value === link }?.key
    }

    // MARK: - Performing the core's actions

    private func handle(_ event: AgentSessionEvent) {
        pendingEvents.append(event)
        guard !isHandlingEvents else { return }
        isHandlingEvents = true
        defer { isHandlingEvents = false }
        var handled = 0
        while !pendingEvents.isEmpty {
            handled += 1
            precondition(handled <= Self.eventsPerHandleMaximum, "session events keep causing events")
            // The core's answers (a term persisted) go before anything else queued: the core
            // holds the frame that asked for them and must act on it against the same link.
            let actions = core.step(pendingEvents.removeFirst(), now: loop.now)
            modules?.fence.noteWelcomedLink(core.welcomedLink)
            let answers = actions.compactMap { perform($0) }
            pendingEvents.insert(contentsOf: answers, at: 0)
        }
    }

    /// Does what `action` asks; returns the answer the core waits for, if any.
    private func perform(_ action: AgentSessionAction) -> AgentSessionEvent? {
        switch action {
        case let .openLink(id, address, standby):
            let made = makeLink(to: address, standby: standby)
            links[id] = made
            made.start()
        case let .stopLink(id):
            links.removeValue(forKey: id)?.stop()
            modules?.linkEnded(id, reason: "the session closed the connection")
        case let .send(frame, what, id):
            links[id]?.send(frame, what: what, refusalsTo: logger)
        case let .sendReport(payload, id):
            guard let link = links[id], link.isConnected else { return nil }
            link.send(Frame(kind: FrameKind.report.rawValue, payload: payload), what: "report", refusalsTo: logger)
        case let .persistTerm(term):
            do {
                _ = try terms.raise(to: term)
                return .termPersisted(highestTerm: terms.highestTerm)
            } catch {
                return .termNotPersisted(error)
            }
        case let .armTimer(timer, instant):
            if let armed = timers[timer] { loop.cancelTimer(armed) }
            timers[timer] = loop.scheduleTimer(at: instant) { [weak self] in
                guard let self else { return }
                timers[timer] = nil
                handle(.timerFired(timer))
            }
        case let .cancelTimer(timer):
            if let armed = timers.removeValue(forKey: timer) { loop.cancelTimer(armed) }
        case .takeSample:
            return .sampleTaken(takeSample())
        case let .runModuleOrder(commandID, order, id):
            return runModuleOrder(commandID: commandID, order: order, on: id)
        case let .deliverArtifactFrame(frame, id):
            modules?.deliver(frame, on: id)
        case let .artifactRequestNotSent(id, reason):
            modules?.linkEnded(id, reason: reason)
        case let .deliverRenewalAnswer(payload):
            renewer?.received(payload)
        }
        return nil
    }

    /// Queues an order with the module owner (or hands it to the responder); the answer now when
    /// it cannot be queued.
    private func runModuleOrder(commandID: UInt64, order: ModuleOrder, on id: SessionLinkID) -> AgentSessionEvent? {
        guard let modules else {
            if let responder {
                responder.respond(to: order, commandID: commandID) { [weak self] result, versions in
                    self?.moduleEvent(.moduleOrderFinished(result, on: id, installedVersions: versions))
                }
                return nil
            }
            let refusal = AgentCommandResult(commandID: commandID, accepted: false, detail: "refused: this agent does not install modules")
            return .moduleOrderFinished(refusal, on: id, installedVersions: [:])
        }
        let queued = AgentModules.Order(commandID: commandID, order: order, link: id)
        guard let answer = modules.submit(queued) else { return nil }
        return .moduleOrderFinished(answer, on: id, installedVersions: modules.installedVersions)
    }

    private func takeSample() -> Sample? {
        let probes = prober?.takeResults() ?? [:]
        prober?.requestRound()
        var roundTrip: UInt32?
        if let id = core.link, let link = links[id], link.isConnected, let measured = link.roundTrip {
            roundTrip = UInt32(clamping: measured.wholeNanoseconds / 1_000)
        }
        return sampler.take(roundTripMicroseconds: roundTrip, probes: probes)
    }

    /// A link to `address` that resumes this session's TLS session when it
    /// can. A standby pings less often, and redials a coordinator that is
    /// gone no more often than standbys are opened.
    private func makeLink(to address: CoordinatorAddress, standby: Bool) -> FrameLink {
        linkSeed &+= 0x9E37_79B9_7F4A_7C15
        let session = configuration.session
        var settings = FrameLink.Settings()
        settings.keepaliveInterval = standby ? session.standbyKeepaliveInterval : session.keepaliveInterval
        settings.idleTimeout = standby ? session.standbyIdleTimeout : session.idleTimeout
        settings.queueFramesMaximum = 1
        var backoffMaximum = session.backoffMaximum
        if standby { backoffMaximum = max(backoffMaximum, session.standbyDelayMaximum ?? backoffMaximum) }
        return FrameLink(loop: loop, target: address.target, resolver: resolver, serverName: address.serverName, contexts: contexts,
                         settings: settings,
                         backoff: Backoff(initial: session.backoffInitial, maximum: backoffMaximum, seed: linkSeed),
                         receiver: self, sessionCache: resumption)
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
