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
    static let usage = """
        usage: hotswap coordinator --name NAME --data-dir DIR --tls-dir DIR
                                   --peer-addr HOST:PORT --agent-addr HOST:PORT --api-addr HOST:PORT
                                   [--config FILE] [--log-level debug|info|warning|error]
                                   [--handshake-timeout 10s] [--request-timeout 10s] [--idle-timeout 60s]
                                   [--frame-idle-timeout 30s] [--shutdown-timeout 10s]
                                   [--initial-cluster c1=HOST:PEERPORT,c2=...,c3=...]
                                   [--initial-cluster-state new|existing]
                                   [--advertise-api-addr HOST:PORT] [--advertise-agent-addr HOST:PORT]
                                   [--agent-suspect-after 3s] [--agent-down-after 30s] [--agent-failover-grace 10s]
                                   [--agent-hello-hold DURATION (default: 4 election timeouts)]
                                   [--agent-window-samples 300] [--agent-window-minutes 60] \
        [--agent-nodes-maximum \(CoordinatorConfiguration.agentNodesLimit)]
                                   [--raft-tick 50ms] [--election-timeout-ticks 10] [--snapshot-every-entries 10000]
        """

    static let keys: Set<String> = [
        "config", "name", "data-dir", "tls-dir", "peer-addr", "agent-addr", "api-addr", "log-level",
        "handshake-timeout", "request-timeout", "idle-timeout", "frame-idle-timeout", "shutdown-timeout",
        "initial-cluster", "initial-cluster-state", "raft-tick", "election-timeout-ticks", "snapshot-every-entries",
        "advertise-api-addr", "advertise-agent-addr", "agent-suspect-after", "agent-down-after", "agent-failover-grace",
        "agent-hello-hold", "agent-window-samples", "agent-window-minutes", "agent-nodes-maximum",
    ]

    static func run(_ arguments: ArraySlice<String>) throws -> Int32 {
        var options = try CommandLineOptions(arguments, accepting: keys)
        try options.mergeConfigFile(accepting: keys)
        let configuration = try makeConfiguration(options)
        let logger = try options.logger(component: "coordinator")

        _ = try CertificateVerifier.verify(
            certificatePath: configuration.certificatePath, privateKeyPath: configuration.privateKeyPath,
            caPath: configuration.caPath, expectedRole: .coordinator, expectedName: configuration.name,
            nowUnixSeconds: Int64(time(nil)))
        try DataDirectory.prepare(configuration.dataDirectory)

        let descriptors = OpenFilesLimit.raiseSoftLimitToHard().soft
        let wanted = configuration.limits.descriptorsWanted
        if descriptors < UInt64(wanted) {
            logger.warning("the open-files limit is below what full connection bounds need; raise it (ulimit -n, LimitNOFILE)",
                           ["limit": "\(descriptors)", "wanted": "\(wanted)"])
        }
        let server = try CoordinatorServer(configuration, logger: logger)
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

    private static func makeConfiguration(_ options: CommandLineOptions) throws -> CoordinatorConfiguration {
        var configuration = CoordinatorConfiguration(
            name: try options.required("name"),
            dataDirectory: try options.required("data-dir"),
            tlsDirectory: try options.required("tls-dir"),
            peerAddress: try SocketAddress(parsing: try options.required("peer-addr")),
            agentAddress: try SocketAddress(parsing: try options.required("agent-addr")),
            apiAddress: try SocketAddress(parsing: try options.required("api-addr")))
        guard NodeIdentity.isValidName(configuration.name) else {
            throw UsageError("--name '\(configuration.name)' is not a valid node name")
        }
        configuration.limits.handshakeTimeout = try options.duration("handshake-timeout", default: .seconds(10))
        configuration.limits.http.requestHeadTimeout = try options.duration("request-timeout", default: .seconds(10))
        configuration.limits.http.idleTimeout = try options.duration("idle-timeout", default: .seconds(60))
        configuration.limits.frameIdleTimeout = try options.duration("frame-idle-timeout", default: .seconds(30))
        configuration.limits.shutdownTimeout = try options.duration("shutdown-timeout", default: .seconds(10))
        if let cluster = options.optional("initial-cluster") {
            let topology = try ClusterTopology.parse(cluster)
            guard topology.member(named: configuration.name) != nil else {
                throw UsageError("--initial-cluster does not name this node (\(configuration.name))")
            }
            configuration.initialCluster = topology
        }
        switch options.optional("initial-cluster-state") ?? "new" {
        case "new": configuration.joinsExistingCluster = false
        case "existing":
            guard configuration.initialCluster != nil else {
                throw UsageError("--initial-cluster-state existing needs --initial-cluster naming the members to dial")
            }
            configuration.joinsExistingCluster = true
        default: throw UsageError("--initial-cluster-state must be new or existing")
        }
        configuration.advertisedAPIAddress = try options.optional("advertise-api-addr").map { try SocketAddress(parsing: $0) }
        configuration.advertisedAgentAddress = try options.optional("advertise-agent-addr").map { try SocketAddress(parsing: $0) }
        configuration.agentSuspectAfter = try options.duration("agent-suspect-after", default: .seconds(3))
        configuration.agentDownAfter = try options.duration("agent-down-after", default: .seconds(30))
        configuration.agentFailoverGrace = try options.duration("agent-failover-grace", default: .seconds(10))
        if options.optional("agent-hello-hold") != nil {
            configuration.agentHelloHold = try options.duration("agent-hello-hold", default: .zero)
        }
        guard configuration.agentSuspectAfter > .zero, configuration.agentSuspectAfter <= configuration.agentDownAfter else {
            throw UsageError("--agent-suspect-after must be positive and at most --agent-down-after")
        }
        configuration.agentWindowSamples = try options.wholeNumber("agent-window-samples", default: 300, range: 1...3_600)
        configuration.agentWindowMinutes = try options.wholeNumber("agent-window-minutes", default: 60, range: 1...1_440)
        configuration.agentNodesMaximum = try options.wholeNumber("agent-nodes-maximum", default: CoordinatorConfiguration.agentNodesLimit,
                                                                   range: 1...CoordinatorConfiguration.agentNodesLimit)
        configuration.raftTickInterval = try options.duration("raft-tick", default: .milliseconds(50))
        configuration.raftElectionTimeoutTicks = try options.wholeNumber("election-timeout-ticks", default: 10, range: 3...1_000)
        configuration.raftSnapshotEveryEntries = UInt64(try options.wholeNumber(
            "snapshot-every-entries", default: 10_000, range: CoordinatorConfiguration.snapshotEveryEntriesRange))
        return configuration
    }
}
