import Access
import Certificates
import Cluster
import Coordinator
import Dispatch
import Glibc
import Locking
import Observability
import Primitives
import Transport

/// `hotswap coordinator`: checks its certificate, starts the server, and runs
/// until SIGTERM or SIGINT (drain, then exit 0); SIGHUP reloads certificates.
enum CoordinatorCommand {
    static let command = Command(
        "coordinator", summary: "run a coordinator",
        about: """
            Runs a coordinator until SIGTERM or SIGINT (drain, then exit 0); SIGHUP reloads its
            certificates. Every flag may also be a 'key = value' line of the --config file.
            """,
        flags: CoordinatorFlags.all, readsConfigFile: true, action: run)

    static func run(_ options: CommandLineOptions) throws -> Int32 {
        var configuration = try makeConfiguration(options)
        configuration.settingsReport = CoordinatorSettings.report(options, configuration)
        let logger = try options.logger(component: "coordinator",
                                        sink: LogSink(fileDescriptor: STDERR_FILENO, recentLines: LogRing()))

        let certificate = try configuration.verifyCertificates()
        try DataDirectory.prepare(configuration.dataDirectory)

        let descriptors = OpenFilesLimit.raiseSoftLimitToHard().soft
        let wanted = configuration.limits.descriptorsWanted
        if descriptors < UInt64(wanted) {
            logger.warning("the open-files limit is below what full connection bounds need; raise it (ulimit -n, LimitNOFILE)",
                           ["limit": "\(descriptors)", "wanted": "\(wanted)"])
        }
        let server = try CoordinatorServer(configuration, certificate: certificate, logger: logger)
        // Handed to the server's bootstrap, which forgets it once the cluster has its admin.
        configuration.access.bootstrapAdminPassword = nil
        let stop = DispatchSemaphore(value: 0)
        let haltReason = Locked<String?>(nil)
        server.onHalt { reason in
            haltReason.withLock { $0 = reason }
            stop.signal()
        }
        let signals = SignalWatcher([
            SIGTERM: { stop.signal() },
            SIGINT: { stop.signal() },
            SIGHUP: { server.reloadCertificates() },
        ])
        defer { signals.cancel() }
        try server.start()
        stop.wait()
        if let reason = haltReason.withLock({ $0 }) {
            logger.error("coordinator halted; shutting down", ["reason": reason])
            server.shutdown()
            return 1
        }
        logger.info("shutdown requested; draining", ["timeout": "\(configuration.limits.shutdownTimeout)"])
        server.shutdown()
        return 0
    }

    private static func makeConfiguration(_ options: CommandLineOptions) throws(UsageError) -> CoordinatorConfiguration {
        typealias Flags = CoordinatorFlags
        var configuration = CoordinatorConfiguration(
            name: try options.required(Flags.name), dataDirectory: try options.required(Flags.dataDirectory),
            tlsDirectory: try options.required(Flags.tlsDirectory), peerAddress: try address(options, Flags.peerAddress),
            agentAddress: try address(options, Flags.agentAddress), apiAddress: try address(options, Flags.apiAddress))
        guard NodeIdentity.isValidName(configuration.name) else {
            throw UsageError("--name '\(configuration.name)' is not a valid node name")
        }
        configuration.limits.handshakeTimeout = try options.duration(Flags.handshakeTimeout)
        configuration.limits.http.requestHeadTimeout = try options.duration(Flags.requestTimeout)
        configuration.limits.http.idleTimeout = try options.duration(Flags.idleTimeout)
        configuration.limits.frameIdleTimeout = try options.duration(Flags.frameIdleTimeout)
        configuration.limits.shutdownTimeout = try options.duration(Flags.shutdownTimeout)
        try readCluster(options, into: &configuration)
        if let text = options.text(Flags.advertiseAPIAddress) {
            configuration.advertisedAPIAddress = try advertised(text, Flags.advertiseAPIAddress)
        }
        if let text = options.text(Flags.advertiseAgentAddress) {
            configuration.advertisedAgentAddress = try advertised(text, Flags.advertiseAgentAddress)
        }
        configuration.agentSuspectAfter = try options.duration(Flags.agentSuspectAfter)
        configuration.agentDownAfter = try options.duration(Flags.agentDownAfter)
        guard configuration.agentSuspectAfter <= configuration.agentDownAfter else {
            throw UsageError("--agent-suspect-after (\(configuration.agentSuspectAfter.text)) must be at most "
                             + "--agent-down-after (\(configuration.agentDownAfter.text))")
        }
        configuration.agentFailoverGrace = try options.duration(Flags.agentFailoverGrace)
        if options.isGiven(Flags.agentHelloHold) {
            configuration.agentHelloHold = try options.duration(Flags.agentHelloHold)
        }
        configuration.agentWindowSamples = try options.count(Flags.agentWindowSamples)
        configuration.agentWindowMinutes = try options.count(Flags.agentWindowMinutes)
        configuration.agentNodesMaximum = try options.count(Flags.agentNodesMaximum)
        configuration.nodeRetention = try options.duration(Flags.nodeRetention)
        let retentionMinimum = configuration.nodeRetentionMinimum
        guard configuration.nodeRetention >= retentionMinimum else {
            throw UsageError("--node-retention (\(configuration.nodeRetention.text)) must be at least --agent-down-after "
                             + "plus --agent-failover-grace (\(retentionMinimum.text)), so a node is down before its window goes")
        }
        configuration.raftTickInterval = try options.duration(Flags.raftTick)
        configuration.raftElectionTimeoutTicks = try options.count(Flags.electionTimeoutTicks)
        let electionTimeout = configuration.raftTickInterval * configuration.raftElectionTimeoutTicks
        guard electionTimeout <= Flags.electionTimeoutMaximum else {
            throw UsageError("--raft-tick × --election-timeout-ticks is \(electionTimeout.text); "
                             + "an election timeout may be at most \(Flags.electionTimeoutMaximum.text)")
        }
        configuration.raftSnapshotEveryEntries = UInt64(try options.count(Flags.snapshotEveryEntries))
        configuration.auditRetention = try options.duration(Flags.auditRetention)
        configuration.moduleRetention = try options.count(Flags.moduleRetention)
        configuration.deploymentRetention = try options.duration(Flags.deploymentRetention)
        configuration.approvalWebhookAllowsLoopback = options.isGiven(Flags.approvalWebhookAllowLoopback)
        configuration.approvalWebhookTrustRoots = options.text(Flags.approvalWebhookCA)
        configuration.signingKeyPath = options.text(Flags.signingKey)
        configuration.agentCertificateLifetime = try options.duration(Flags.agentCertificateLifetime)
        configuration.access.tokenLifetimeSeconds = UInt64(try options.duration(Flags.tokenTTL).wholeMilliseconds / 1_000)
        configuration.access.requestsPerSecondPerAddress = UInt64(try options.count(Flags.apiRatePerAddress))
        configuration.access.requestsPerSecondPerUser = UInt64(try options.count(Flags.apiRatePerUser))
        configuration.access.allowedOrigins = try allowedOrigins(options)
        configuration.access.bootstrapAdminPassword = try BootstrapPassword.read(options, for: configuration)
        return configuration
    }

    /// The founding members (`--initial-cluster`) and whether this node joins a running cluster.
    private static func readCluster(_ options: CommandLineOptions, into configuration: inout CoordinatorConfiguration)
        throws(UsageError) {
        if let cluster = options.text(CoordinatorFlags.initialCluster) {
            let topology: ClusterTopology
            do {
                topology = try ClusterTopology.parse(cluster)
            } catch {
                throw UsageError(error.description)
            }
            guard topology.member(named: configuration.name) != nil else {
                throw UsageError("--initial-cluster does not name this node (\(configuration.name))")
            }
            configuration.initialCluster = topology
        }
        configuration.joinsExistingCluster = try options.choice(CoordinatorFlags.initialClusterState) == "existing"
        configuration.initialClusterToken = options.text(CoordinatorFlags.initialClusterToken) ?? ""
        guard !configuration.joinsExistingCluster || configuration.initialCluster != nil else {
            throw UsageError("--initial-cluster-state existing needs --initial-cluster naming the members to dial")
        }
    }

    /// `--api-allowed-origin`, each an exact `https://HOST[:PORT]` origin.
    private static func allowedOrigins(_ options: CommandLineOptions) throws(UsageError) -> OriginPolicy {
        var origins = Set<String>()
        for text in options.all(CoordinatorFlags.apiAllowedOrigin) {
            switch OriginPolicy.origin(text) {
            case let .success(origin): origins.insert(origin)
            case let .failure(rejection): throw UsageError("--api-allowed-origin: \(rejection)")
            }
        }
        guard origins.count <= OriginPolicy.originsMaximum else {
            throw UsageError("--api-allowed-origin may be given at most \(OriginPolicy.originsMaximum) times")
        }
        return OriginPolicy(allowed: origins)
    }

    /// An advertised `HOST:PORT`: a numeric address or a host name (a pod's DNS name under its headless
    /// Service), which is published as written and resolved by whoever dials it (agents following a
    /// redirect, the CLI); `localhost` is published as 127.0.0.1, as it always was. A malformed one is a
    /// usage error naming the flag.
    static func advertised(_ text: String, _ flag: Flag) throws(UsageError) -> HostPort {
        do {
            return try HostPort(parsingLocalhostAsLoopback: text, flag: "--\(flag.name)")
        } catch {
            throw UsageError(error.description)
        }
    }

    /// A `HOST:PORT` flag's address; a malformed one is a usage error naming the flag.
    private static func address(_ options: CommandLineOptions, _ flag: Flag) throws(UsageError) -> SocketAddress {
        let text = try options.required(flag)
        do {
            return try SocketAddress(parsing: text)
        } catch {
            throw UsageError("--\(flag.name): \(error)")
        }
    }
}
