import Access
import Certificates
import Cluster
import Fleet
import Gateway
import ModuleArchive
import Glibc
import Observability
import Primitives
import Storage
import Synchronization
import Transport

/// A running coordinator process: its event loops, its API, peer and agent
/// endpoints, and its metrics. It owns all of them — `start` brings them up,
/// `shutdown` stops accepting, drains within a bound and joins the loops.
public final class CoordinatorServer: Sendable {
    public let configuration: CoordinatorConfiguration
    public let metrics = MetricsRegistry()
    private let logger: Logger
    private let group: EventLoopGroup
    /// The peer port's own loop: Raft traffic from the other coordinators
    /// must not queue behind a storm of agent handshakes (a leader that hears
    /// no quorum for an election timeout steps down).
    private let peerGroup: EventLoopGroup
    private let tls: CoordinatorTLS
    private let endpoints: [TLSEndpoint]
    private let raft: RaftService
    /// Made in `init` after the last step that can fail (the HMAC is made before it), so its
    /// threads always have an owner that joins them.
    private let hashing: PasswordHashingPool
    /// The snapshot saves' encoding thread, made beside the hashing pool for the same reason.
    private let snapshotSaves: SnapshotSaves
    /// The module store and its disk thread, made beside the hashing pool for the same reason.
    private let uploads: ModuleUploads
    /// Brings the recorded artifacts this coordinator lacks from another member, and serves its own to them.
    private let artifacts: ArtifactFetcher
    private let deployments: DeploymentDriving
    private let webhooks: ApprovalWebhooks
    private let dataLock: DataDirectoryLock
    private let stopped = Atomic<Bool>(false)
    private let reloadFailures: Counter
    /// What agent certificates are signed with (`--signing-key`), rebuilt by `reloadCertificates`.
    private let signing: AgentSigning?
    /// `hotswap_certificate_not_after_timestamp_seconds`: set at start and by each reload that installs a certificate.
    private let certificateNotAfter: Gauge

    /// Takes the data directory's lock, recovers the Raft log, and builds the endpoints.
    /// `certificate` is what the start-up check (`verifyCertificates`) read from the certificate file.
    /// The bootstrap password goes to `AdminBootstrap` only: the kept `configuration` has none.
    public init(_ configuration: CoordinatorConfiguration, certificate: CertificateInfo, logger: Logger) throws {
        self.configuration = configuration.withoutBootstrapPassword
        self.logger = logger
        dataLock = try DataDirectoryLock.acquire(directory: configuration.dataDirectory)
        let revocations = AgentRevocations(logger: logger)
        tls = try CoordinatorTLS(configuration, revocations: revocations)
        (reloadFailures, certificateNotAfter) = Self.certificateMetrics(notAfter: certificate.notAfter, in: metrics)
        let raftSettings = RaftService.Settings(configuration)
        let founding = try FoundingRecord.settle(configuration, logger: logger)
        let identity = ClusterIdentityGuard.recording(founding, of: configuration, logger: logger, metrics: metrics)
        let raft = try RaftService(name: configuration.name, topology: founding.topology, joining: founding.joining, identity: identity,
                                   dataDirectory: configuration.dataDirectory, peerContexts: tls.peerClient,
                                   settings: raftSettings, logger: logger, metrics: metrics)
        self.raft = raft
        group = try EventLoopGroup()
        peerGroup = try EventLoopGroup(loopCount: 1)
        let inbox = try SnapshotInbox(dataDirectory: configuration.dataDirectory, logger: logger, metrics: metrics)
        let store = try Self.openModuleStore(configuration, logger: logger)
        let limits = configuration.limits
        var connectionLimits = ConnectionLimits()
        connectionLimits.handshakeTimeout = limits.handshakeTimeout
        // One MAC for the process (the algorithm fetched once), made before the pool: a failure leaves no threads.
        let hmac = try HMACSHA256(), hashing = PasswordHashingPool(metrics: metrics, logger: logger)
        self.hashing = hashing
        let snapshotSaves = SnapshotSaves()
        self.snapshotSaves = snapshotSaves
        let uploads = ModuleUploads(store: store, logger: logger, metrics: metrics)
        (self.uploads, artifacts) = (uploads, ArtifactFetcher(service: raft, uploads: uploads, logger: logger, metrics: metrics))
        var routes = Self.accessRoutes(configuration, raft: raft, hashing: hashing, hmac: hmac, revocations: revocations,
                                       apiTrust: tls.apiTrust, metrics: metrics, logger: logger)
        let gateway = AgentGateway(raft: raft, settings: Self.gatewaySettings(configuration), logger: logger, metrics: metrics)
        let (orders, deployments, webhooks) = try Self.connect(raft, to: gateway, revocations: revocations, uploads: uploads,
            configuration, hmac: hmac, logger: logger, metrics: metrics)
        (self.deployments, self.webhooks) = (deployments, webhooks)
        let ticketKeys = tls.ticketKeys
        raft.ticketKeys.observer = { ticketKeys.install($0) }
        RaftMetrics.register(in: metrics, raft: raft)
        metrics.gaugeFunction("hotswap_transport_frames_refused",
                              help: "Frames refused at the sender because they exceed the frame size limit (since start).") {
            Double(FrameSendError.refusedTotal)
        }
        Self.stateRoutes(in: &routes, raft: raft, gateway: gateway, orders: orders, snapshotSaves: snapshotSaves,
                         configuration: configuration)
        ModuleRoutes.register(in: &routes, service: raft, uploads: uploads)
        DebugRoutes.register(in: &routes, configuration: configuration, recentLines: logger.recentLines, metrics: metrics)
        let api = HTTPServer.makeEndpoint(
            name: "api", address: configuration.apiAddress, group: group, contexts: tls.api, routes: routes.routes,
            configuration: APIGuard.securedConfiguration(limits.http), limits: connectionLimits,
            maximumConnections: limits.apiConnectionsMaximum, logger: logger, metrics: metrics)
        let peer = Self.frameEndpoint(name: "peer", address: configuration.peerAddress, contexts: tls.peer,
                                      maximumConnections: limits.peerConnectionsMaximum, group: peerGroup,
                                      limits: limits, connectionLimits: connectionLimits, logger: logger,
                                      metrics: metrics) { [artifacts] in PeerReceiver(service: raft, inbox: inbox, artifacts: artifacts) }
        let (agentArtifacts, signingServices) = try Self.agentServices(configuration, artifacts: artifacts, raft: raft,
                                                                       revocations: revocations, logger: logger, metrics: metrics)
        let certificateLess = signingServices.map { _ in
            SourceQuota.Limits(totalMaximum: limits.enrollmentConnectionsMaximum,
                               perSourceMaximum: limits.enrollmentConnectionsPerSourceMaximum)
        }
        let agent = Self.frameEndpoint(name: "agent", address: configuration.agentAddress, contexts: tls.agent,
                                       maximumConnections: limits.agentConnectionsMaximum, certificateLess: certificateLess,
                                       group: group, limits: limits, connectionLimits: connectionLimits, logger: logger,
                                       metrics: metrics) {
            AgentSessionHandler(gateway: gateway, raft: raft, ticketKeys: ticketKeys, revocations: revocations, logger: logger,
                                artifacts: agentArtifacts, orders: orders, enrollment: signingServices?.enrollment,
                                renewal: signingServices?.renewal)
        }
        endpoints = [api, peer, agent]
        signing = signingServices?.signing
    }

    /// The agent gateway's liveness, window and table bounds and hello hold from the flags.
    private static func gatewaySettings(_ configuration: CoordinatorConfiguration) -> AgentGateway.Settings {
        var settings = AgentGateway.Settings()
        settings.liveness = LivenessPolicy(suspectAfter: configuration.agentSuspectAfter, downAfter: configuration.agentDownAfter,
                                           failoverGrace: configuration.agentFailoverGrace)
        settings.limits.samplesPerNode = configuration.agentWindowSamples
        settings.limits.minutesPerNode = configuration.agentWindowMinutes
        settings.limits.nodesMaximum = configuration.agentNodesMaximum
        settings.limits.retention = configuration.nodeRetention
        settings.helloHold = configuration.agentHelloHoldInEffect
        return settings
    }

    /// Lets the gateway, the module orders, the deployment driver and the approval webhooks follow Raft's views and answer
    /// its node reads, module retention keep what orders install, and node administration ask them and the revocations;
    /// returns the module orders, the deployment driver and the approval webhooks.
    private static func connect(_ raft: RaftService, to gateway: AgentGateway, revocations: AgentRevocations, uploads: ModuleUploads,
                                _ configuration: CoordinatorConfiguration, hmac: HMACSHA256, logger: Logger,
                                metrics: MetricsRegistry) throws(TransportError) -> (ModuleOrders, DeploymentDriving, ApprovalWebhooks) {
        raft.gatewayQueries = { gateway.answer($0) }
        let store = uploads.store
        let orders = ModuleOrders(gateway: gateway, logger: logger, metrics: metrics) { store.contains($0) }
        raft.moduleRetention.versionsOrdered = { orders.versionsInstalling }
        let deployments = try DeploymentDriving(gateway: gateway, orders: orders, retention: configuration.deploymentRetention,
                                                logger: logger, metrics: metrics) { request, completion in
            raft.loop.execute { raft.submitOnLoop(request, mayForward: false, completion: completion) }
        }
        let webhooks = try ApprovalWebhooks(gateway: gateway, hmac: hmac, trustRootsPath: configuration.approvalWebhookTrustRoots,
                                            allowsLoopback: configuration.approvalWebhookAllowsLoopback, logger: logger, metrics: metrics)
        let leaderChanges = LeaderChangeCount(metrics: metrics)
        raft.viewObserver = { view in
            leaderChanges.follow(view)
            gateway.follow(view)
            orders.follow(view)
            deployments.follow(view)
            webhooks.follow(view)
        }
        raft.nodeAdministration.hasSession = { gateway.hasSession($0) }
        raft.nodeAdministration.newestCertificate = { revocations.newestNotBefore(of: $0) }
        raft.nodeAdministration.revocationsObserver = { revocations.install($0) }
        raft.nodeAdministration.removalObserver = { gateway.forget($0) }
        return (orders, deployments, webhooks)
    }

    /// The API's guarded routes with the health, login and user routes in them, and the first
    /// admin's bootstrap when this coordinator has the founding password. Health comes first:
    /// routes are tried in order, and probes call often.
    private static func accessRoutes(_ configuration: CoordinatorConfiguration, raft: RaftService, hashing: PasswordHashingPool,
                                     hmac: HMACSHA256, revocations: AgentRevocations, apiTrust: APITrust,
                                     metrics: MetricsRegistry, logger: Logger) -> GuardedRoutes {
        if let password = configuration.access.bootstrapAdminPassword {
            raft.adminBootstrap = AdminBootstrap(password: password.value, pool: hashing, loop: raft.loop, logger: logger)
        }
        let revocation: @Sendable (String, Int64?) -> String? = { name, notBefore in
            revocations.denial(of: name, notBeforeSeconds: notBefore).map(AgentRevocations.reason)
        }
        let accessGuard = APIGuard(settings: configuration.access, hmac: hmac, revocation: revocation,
                                   trustGeneration: { apiTrust.generation }) { raft.view }
        var routes = GuardedRoutes(accessGuard: accessGuard)
        HealthRoutes.register(in: &routes, metrics: metrics) { raft.view.isLeaderKnown }
        let access = AccessRoutes(service: raft, hashing: hashing, settings: configuration.access, hmac: hmac, logger: logger)
        AuthRoutes.register(in: &routes, access)
        UserRoutes.register(in: &routes, access)
        return routes
    }

    /// The routes of the replicated state: cluster, environments, nodes, the event stream and the audit trail.
    private static func stateRoutes(in routes: inout GuardedRoutes, raft: RaftService, gateway: AgentGateway, orders: ModuleOrders,
                                    snapshotSaves: SnapshotSaves, configuration: CoordinatorConfiguration) {
        ClusterRoutes.register(in: &routes, service: raft)
        EnvironmentRoutes.register(in: &routes, service: raft, gateway: gateway)
        ModuleSigningRoutes.register(in: &routes, service: raft)
        RolloutPolicyRoutes.register(in: &routes, service: raft)
        ApprovalWebhookRoutes.register(in: &routes, service: raft, allowsLoopback: configuration.approvalWebhookAllowsLoopback)
        JoinTokenRoutes.register(in: &routes, service: raft, caPath: configuration.caPath)
        DeploymentRoutes.register(in: &routes, service: raft)
        ApprovalRoutes.register(in: &routes, service: raft)
        NodeRoutes.register(in: &routes, service: raft, gateway: gateway)
        NodeModuleRoutes.register(in: &routes, orders: orders)
        EventRoutes.register(in: &routes, hub: raft.events)
        AuditRoutes.register(in: &routes, service: raft)
        SnapshotRoutes.register(in: &routes, service: raft, saves: snapshotSaves)
    }

    /// The reload failures' counter and the gauge of the certificate's notAfter, set to `notAfter`.
    /// What the agent port serves besides sessions: module artifacts, and enrollment when `--signing-key` is given
    /// (its key loaded and checked here, at start).
    private static func agentServices(_ configuration: CoordinatorConfiguration, artifacts: ArtifactFetcher, raft: RaftService,
                                      revocations: AgentRevocations, logger: Logger,
                                      metrics: MetricsRegistry) throws -> (AgentArtifactServer, SigningServices?) {
        let served = AgentArtifactServer(checks: artifacts.server.checks, logger: logger, metrics: metrics) { sha256 in
            ArtifactServer.recordedBytes(of: sha256, in: raft.view)
        }
        guard let path = configuration.signingKeyPath else { return (served, nil) }
        let lifetime = configuration.agentCertificateLifetime.wholeMilliseconds / 1_000
        let signing = try AgentSigning(caPath: configuration.caPath, keyPath: path, lifetimeSeconds: lifetime)
        let enrollment = AgentEnrollment(signing: signing, connectionLifetime: configuration.limits.enrollmentConnectionLifetime,
                                         raft: raft, revocations: revocations, logger: logger, metrics: metrics)
        let renewal = AgentCertificateRenewal(signing: signing, raft: raft, revocations: revocations, logger: logger,
                                              metrics: metrics)
        return (served, SigningServices(signing: signing, enrollment: enrollment, renewal: renewal))
    }

    private static func certificateMetrics(notAfter seconds: Int64, in metrics: MetricsRegistry) -> (Counter, Gauge) {
        let failures = metrics.counter("hotswap_certificate_reload_failures_total",
                                       help: "SIGHUP certificate reloads refused (the previous certificates stay in use).")
        let notAfter = metrics.gauge("hotswap_certificate_not_after_timestamp_seconds",
                                     help: "When this coordinator's certificate in use expires (its notAfter), in Unix seconds.")
        notAfter.set(Double(seconds))
        return (failures, notAfter)
    }

    /// The module store in `DATA/modules/`; what a crash left of uploads is removed and logged.
    private static func openModuleStore(_ configuration: CoordinatorConfiguration, logger: Logger) throws -> ModuleStore {
        let store = try ModuleStore.open(directory: configuration.dataDirectory + "/modules")
        let recovery = store.recovery
        if !recovery.removedLeftovers.isEmpty || !recovery.unexpectedNames.isEmpty {
            logger.warning("module store: removed interrupted uploads, left unexpected names alone",
                           ["removed": "\(recovery.removedLeftovers.count)", "unexpected": recovery.unexpectedNames.joined(separator: ",")])
        }
        return store
    }

    private static func frameEndpoint(name: String, address: SocketAddress, contexts: TLSContextStore,
                                      maximumConnections: Int, certificateLess: SourceQuota.Limits? = nil, group: EventLoopGroup,
                                      limits: CoordinatorLimits, connectionLimits: ConnectionLimits, logger: Logger,
                                      metrics: MetricsRegistry, makeReceiver: @escaping @Sendable () -> any FrameReceiver) -> TLSEndpoint {
        TLSEndpoint(name: name, address: address, group: group, contexts: contexts, limits: connectionLimits,
                    maximumConnections: maximumConnections, certificateLess: certificateLess, logger: logger,
                    metrics: metrics) { connection in
            FrameChannel(connection: connection, frameSizeMaximumBytes: limits.frameSizeMaximumBytes,
                         idleTimeout: limits.frameIdleTimeout, receiver: makeReceiver())
        }
    }

    /// Hears, once, why this coordinator stopped taking part (a failed write, an
    /// entry this build cannot decode); set before `start`. The caller shuts down.
    public func onHalt(_ handler: @escaping @Sendable (String) -> Void) {
        raft.haltObserver = handler
    }

    /// Binds every endpoint; on failure the ones already started are stopped.
    public func start() throws(TransportError) {
        do {
            for endpoint in endpoints { try endpoint.start() }
        } catch {
            shutdown()
            throw error
        }
        let peerAddress = configuration.peerAddress
        artifacts.start()
        deployments.start()
        webhooks.start()
        let apiAddress = configuration.advertisedAPIAddress ?? HostPort(Self.reachable(endpoints[0].boundAddress, peer: peerAddress))
        let agentAddress = configuration.advertisedAgentAddress ?? HostPort(Self.reachable(endpoints[2].boundAddress, peer: peerAddress))
        raft.start(advertising: AdvertisedAddresses(name: configuration.name, apiAddress: "\(apiAddress)", agentAddress: "\(agentAddress)"))
        logger.info("coordinator started", ["name": configuration.name,
                                            "api": "\(endpoints[0].boundAddress)",
                                            "peer": "\(endpoints[1].boundAddress)",
                                            "agent": "\(endpoints[2].boundAddress)"])
    }

    /// A bound address others can dial: a wildcard host is replaced by the
    /// peer address's host (which the other coordinators already dial).
    public static func reachable(_ bound: SocketAddress, peer: SocketAddress) -> SocketAddress {
        guard bound.host == "0.0.0.0" || bound.host == "::" else { return bound }
        return peer.withPort(bound.port)
    }

    /// Re-reads certificates and keys after the same check as start-up
    /// (`verifyCertificates`); a failure of either keeps the old ones in use,
    /// is logged with what failed and counted (`hotswap_certificate_reload_failures_total`).
    /// A new `ca.pem` ends the event streams of client certificates verified against the old one;
    /// their connections' other requests are refused as they come (`APIGuard.certificateRefusal`).
    /// With `--signing-key`, the agent certificate issuer and the bundle enrollment shows are rebuilt
    /// too; a key that does not match the new `ca.pem` fails the reload.
    public func reloadCertificates() {
        do {
            let certificate = try configuration.verifyCertificates()
            // The signing key must match the new ca.pem before anything is swapped.
            let nextSigning = try signing?.prepareReload()
            let previous = tls.apiTrust.generation
            let generation = try tls.reload(configuration)
            if let nextSigning { signing?.install(nextSigning) }
            if generation != previous {
                raft.events.endCertificateStreams(trustedBefore: generation)
                logger.warning("cluster CA changed; client certificates verified against the previous one are refused",
                               ["ca": configuration.caPath, "trust_generation": "\(generation)"])
            }
            certificateNotAfter.set(Double(certificate.notAfter))
            logger.info("certificates reloaded", ["certificate": configuration.certificatePath])
        } catch {
            reloadFailures.increment()
            logger.error("certificate reload failed; keeping the previous certificates",
                         ["error": "\(error)", "failures": "\(reloadFailures.value)"])
        }
    }

    public var connectionCount: Int {
        endpoints.reduce(0) { $0 + $1.connectionCount }
    }

    /// Stops accepting, gives open connections `limits.shutdownTimeout` to
    /// finish, closes the rest and stops the loops.
    public func shutdown() {
        guard !stopped.exchange(true, ordering: .acquiringAndReleasing) else { return }
        for endpoint in endpoints { endpoint.stopAccepting() }
        // Event streams never finish by themselves: ended first, so the drain below closes them.
        raft.events.close()
        let deadline = MonotonicInstant.now().advanced(by: configuration.limits.shutdownTimeout)
        var forced = 0
        for endpoint in endpoints {
            forced += endpoint.drain(timeout: MonotonicInstant.now().duration(until: deadline))
        }
        // Before the loops stop: queued hashes are answered on them.
        hashing.stop()
        snapshotSaves.stop()
        deployments.stop()
        webhooks.stop()
        artifacts.stop()
        uploads.stop()
        raft.stop()
        group.shutdown()
        peerGroup.shutdown()
        dataLock.release()
        logger.info("coordinator stopped", ["forced_closes": "\(forced)"])
    }
}
