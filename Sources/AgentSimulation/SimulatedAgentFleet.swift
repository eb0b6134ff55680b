import Agent
import Certificates
import Glibc
import Observability
import Transport

/// Many agents in one process — `hotswap bench agents`' load and the
/// gateway's bound tests: each the real
/// `AgentSession` over its own mutual-TLS connection with its own agent
/// certificate, reporting synthetic samples every interval. It owns its
/// event loops and every session: `start` spreads them over the loops,
/// `stop` stops them all and joins the loops.
public final class SimulatedAgentFleet {
    private let group: EventLoopGroup
    /// Resolves coordinators' host names for every session; stopped after them.
    private let resolver = HostResolver()
    private var sessions: [LoopBound<AgentSession>] = []

    /// The agent names `sim-00001`… for the 0-based `indices`.
    public static func names(_ indices: Range<Int>) -> [String] {
        indices.map { index in
            let number = String(index + 1)
            return "sim-" + String(repeating: "0", count: max(0, 5 - number.count)) + number
        }
    }

    /// Issues (or reuses) `count` agent certificates `sim-00001`… in `tlsDirectory`.
    public static func prepareCertificates(count: Int, tlsDirectory: String) throws -> [String] {
        let names = names(0..<count)
        for name in names {
            let paths = CertificateAuthority.nodePaths(directory: tlsDirectory, name: name)
            guard access(paths.certificate, F_OK) != 0 else { continue }
            _ = try CertificateAuthority.issue(directory: tlsDirectory, identity: try NodeIdentity(role: .agent, name: name),
                                               ipAddresses: [], dnsNames: [])
        }
        return names
    }

    public init(loops: Int) throws {
        group = try EventLoopGroup(loopCount: loops)
    }

    /// Starts one session per name against `coordinators`, `perSecond` at a
    /// time (a fleet boots over time). Each keeps a standby connection to
    /// every other coordinator, so the process needs a descriptor per
    /// coordinator per agent. Every agent reports `labels` in its hello (the
    /// inventory the leader replicates). With `installs`, each answers module orders as a
    /// simulated host (`SimulatedModuleHost`); without, it refuses them. Starts no more once
    /// `stopRequested` is true.
    public func start(names: [String], coordinators: [CoordinatorAddress], tlsDirectory: String, interval: Duration,
                      perSecond: Int, labels: [String: String] = [:], installs: SimulatedInstallSettings? = nil,
                      stopRequested: () -> Bool = { false }) throws {
        let logger = Logger(component: "bench-agent", minimumLevel: .error)
        for (index, name) in names.enumerated() where !stopRequested() {
            var configuration = AgentConfiguration(name: name, coordinators: coordinators, tlsDirectory: tlsDirectory,
                                                   dataDirectory: "/nonexistent")
            configuration.reportInterval = interval
            configuration.labels = labels
            configuration.session.keepaliveInterval = .seconds(5)
            configuration.session.idleTimeout = .seconds(15)
            // Standby connections open within 10 s of a welcome: before the
            // benchmark's steady window ends, as they would on a fleet that
            // has run for a while.
            configuration.session.standbyDelayMaximum = .seconds(10)
            let contexts = try TLSContextStore(TLSConfiguration(
                certificateChainPath: configuration.certificatePath, privateKeyPath: configuration.privateKeyPath,
                trustRootsPath: configuration.caPath, peerVerification: .none, minimumProtocolVersion: .tls13),
                side: .client)
            let loop = group.loops[index % group.loops.count]
            let settings = configuration
            let incarnation = WallClock.nowMilliseconds() &+ UInt64(index)
            let resolver = self.resolver
            sessions.append(loop.runAndWait {
                let host = installs.map { SimulatedModuleHost(loop: loop, settings: $0) }
                let session = AgentSession(loop: loop, configuration: settings, contexts: contexts, resolver: resolver,
                                           terms: VolatileTermRecord(), sampler: SyntheticSamples(seed: UInt64(index), host: host),
                                           prober: nil, responder: host, incarnation: incarnation, logger: logger)
                session.start()
                return LoopBound(session, loop: loop)
            })
            if (index + 1) % perSecond == 0 { usleep(1_000_000) }
        }
    }

    /// How many sessions are welcomed by a leader of at least `term`.
    public func welcomedCount(minimumTerm term: UInt64) -> Int {
        census().welcomed(minimumTerm: term)
    }

    /// Where every session stands now.
    public func census() -> FleetCensus {
        var total = FleetCensus(takenAt: .now())
        for loop in group.loops {
            let mine = sessions.filter { $0.loop === loop }
            let counted = loop.runAndWait {
                mine.reduce(into: FleetCensus(takenAt: .now())) { census, session in
                    let status = session.value.status
                    if status.leaderName != nil { census.welcomedByTerm[status.highestSeenTerm, default: 0] += 1 }
                    census.phases[status.phase, default: 0] += 1
                    census.connectedStandbys += status.connectedStandbys
                }
            }
            total = FleetCensus.total([total, counted]) ?? total
        }
        return total
    }

    public func stop() {
        for loop in group.loops {
            let mine = sessions.filter { $0.loop === loop }
            loop.runAndWait { for session in mine { session.value.stop() } }
        }
        resolver.stop()
        group.shutdown()
    }
}
