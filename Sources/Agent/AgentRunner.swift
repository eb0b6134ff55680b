import Locking
import Observability
import Transport

/// Owns a running agent: its data directory (locked), term store, TLS
/// credentials, one event loop on its own thread, the health prober's thread
/// (when a module has a health endpoint) and the session. `start` begins
/// sampling and dialling; `shutdown` sends what is pending, closes the
/// connection, stops the prober and joins both threads — bounded by the
/// prober's interruptible waits and the loop's drain — and unlocks the data
/// directory.
public final class AgentRunner: Sendable {
    public let configuration: AgentConfiguration
    public let incarnation: UInt64
    private let logger: Logger
    private let dataDirectory: AgentDataDirectory
    private let terms: TermStore
    private let contexts: TLSContextStore
    private let group: EventLoopGroup
    private let prober: HealthProber?
    private let session: LoopBound<AgentSession>
    /// Resolves the coordinators' host names for the session's links; stopped after the session.
    private let resolver = HostResolver()
    private let modules: AgentModules
    private let orderPort: SessionOrderPort
    private let isShutDown = Locked(false)
    private let reloadFailures = Locked(0)

    /// Prepares everything that can fail — configuration, data directory, term,
    /// certificates, `/proc` — and throws the first problem; nothing is dialled
    /// or sampled until `start`.
    public init(configuration: AgentConfiguration, logger: Logger,
                incarnation: UInt64 = WallClock.nowMilliseconds()) throws(AgentStartError) {
        do {
            try configuration.validate()
        } catch {
            throw .configuration(error)
        }
        self.configuration = configuration
        self.incarnation = incarnation
        self.logger = logger
        do {
            dataDirectory = try AgentDataDirectory(preparing: configuration.dataDirectory)
            terms = try TermStore(directory: configuration.dataDirectory)
        } catch {
            throw .state(error)
        }
        do {
            contexts = try AgentTLS.makeContexts(configuration)
        } catch {
            throw .tls(error)
        }
        do {
            modules = try AgentModules(dataDirectory: configuration.dataDirectory, settings: configuration.orders,
                                       processSettings: configuration.moduleProcesses, terms: terms,
                                       logger: logger)
        } catch {
            throw .modules(error)
        }
        let made: (EventLoopGroup, HealthProber?, LoopBound<AgentSession>)
        do {
            made = try Self.makeSession(configuration: configuration, contexts: contexts, resolver: resolver, terms: terms,
                                        modules: modules,
                                        incarnation: incarnation, logger: logger)
        } catch {
            modules.finish(drained: modules.drain())
            throw error
        }
        (group, prober, session) = made
        orderPort = SessionOrderPort(session: session)
    }

    /// The prober, the loop and the session on it; the sampler takes its CPU baseline there.
    private static func makeSession(configuration: AgentConfiguration, contexts: TLSContextStore, resolver: HostResolver,
                                    terms: TermStore, modules: AgentModules, incarnation: UInt64, logger: Logger)
        throws(AgentStartError) -> (EventLoopGroup, HealthProber?, LoopBound<AgentSession>) {
        let targets = configuration.modules.compactMap { module in
            module.health.map { HealthProber.Target(module: module.name, endpoint: $0) }
        }
        let prober: HealthProber?
        let group: EventLoopGroup
        do {
            prober = try HealthProber(targets: targets, timeout: configuration.probeTimeout,
                                      installedTargets: { [modules] in modules.healthTargets() })
        } catch {
            throw .collector(error)
        }
        do {
            group = try EventLoopGroup(loopCount: 1)
        } catch {
            throw .tls(error)
        }
        let loop = group.loops[0]
        let made: Result<LoopBound<AgentSession>, CollectorError> = loop.runAndWait {
            do throws(CollectorError) {
                let sampler = try Sampler(modules: configuration.modules, installed: modules, logger: logger)
                return .success(LoopBound(AgentSession(loop: loop, configuration: configuration, contexts: contexts,
                                                       resolver: resolver, terms: terms, sampler: sampler, prober: prober, modules: modules,
                                                       incarnation: incarnation, logger: logger, renews: true), loop: loop))
            } catch {
                return .failure(error)
            }
        }
        switch made {
        case let .success(session): return (group, prober, session)
        case let .failure(error):
            group.shutdown()
            throw .collector(error)
        }
    }

    /// Starts the prober's thread, sampling and dialling.
    public func start() {
        logger.info("agent started", [
            "name": configuration.name, "incarnation": "\(incarnation)", "highestSeenTerm": "\(terms.highestTerm)",
            "coordinators": configuration.coordinators.map(\.description).joined(separator: ","),
            "intervalMilliseconds": "\(configuration.reportIntervalMilliseconds)",
            "modules": "\(configuration.modules.count)", "dataDir": configuration.dataDirectory])
        prober?.start()
        modules.start(port: orderPort)
        let session = self.session
        session.loop.runAndWait { session.value.start() }
    }

    /// Rebuilds the TLS credentials from disk for the next connection after
    /// the same check as start-up (`verifyCertificate`); on a failure of
    /// either keeps the current ones and logs what failed, with the count of
    /// failures so far. Returns whether the reload succeeded.
    @discardableResult
    public func reloadCertificates() -> Bool {
        do {
            _ = try configuration.verifyCertificate()
            try contexts.reload()
            let session = self.session
            session.loop.runAndWait { session.value.credentialsReloaded() }
            logger.info("certificates reloaded")
            return true
        } catch {
            let failures = reloadFailures.withLock { count in
                count += 1
                return count
            }
            logger.error("certificate reload failed; keeping the current certificates",
                         ["error": "\(error)", "failures": "\(failures)"])
            return false
        }
    }

    /// What the session is doing now.
    public var status: AgentStatus {
        let session = self.session
        return session.loop.runAndWait { session.value.status }
    }

    /// Flushes, closes, stops the prober and joins the threads. Idempotent.
    public func shutdown() {
        let first = isShutDown.withLock { done in
            defer { done = true }
            return !done
        }
        guard first else { return }
        // The running order may still answer through the session, so the loop runs until it ended.
        let drained = modules.drain()
        let session = self.session
        session.loop.runAndWait { session.value.stop() }
        resolver.stop()
        orderPort.close()
        prober?.stop()
        group.shutdown()
        modules.finish(drained: drained)
        dataDirectory.unlock()
        logger.info("agent stopped", ["name": configuration.name, "incarnation": "\(incarnation)"])
    }
}

/// Why an agent could not start; the message says what to fix.
public enum AgentStartError: Error, Sendable, CustomStringConvertible {
    case configuration(AgentConfigurationError)
    case state(AgentStateError)
    case tls(TransportError)
    case collector(CollectorError)
    case modules(AgentModulesError)

    public var description: String {
        switch self {
        case let .configuration(error): "\(error)"
        case let .state(error): "\(error)"
        case let .tls(error): "\(error)"
        case let .collector(error): "cannot measure this host: \(error)"
        case let .modules(error): "cannot take up the installed modules: \(error)"
        }
    }
}
