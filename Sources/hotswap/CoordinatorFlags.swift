import Coordinator

/// The flags of `hotswap coordinator`, each duration and count with the range the coordinator
/// can run with; why each bound is where it is, is in Docs/CLI.md.
enum CoordinatorFlags {
    static let name = Flag("name", .text("NAME"), .required, help: "this node's name; its coordinator certificate must carry it")
    static let dataDirectory = Flag("data-dir", .text("DIR"), .required,
                                    help: "the Raft log, snapshots and the lock; created with mode 0700 if missing")
    static let tlsDirectory = Flag("tls-dir", .text("DIR"), .required, help: "holds ca.pem, NAME.pem and NAME.key")
    static let peerAddress = Flag("peer-addr", .text("HOST:PORT"), .required, help: "listens for the other coordinators")
    static let agentAddress = Flag("agent-addr", .text("HOST:PORT"), .required, help: "listens for agents")
    static let apiAddress = Flag("api-addr", .text("HOST:PORT"), .required, help: "listens for the HTTPS API")

    static let handshakeTimeout = Flag("handshake-timeout", .duration(.milliseconds(100) ... .seconds(120)), .value("5s"),
                                       help: "a TLS handshake must finish within this")
    static let requestTimeout = Flag("request-timeout", .duration(.milliseconds(100) ... .seconds(300)), .value("10s"),
                                     help: "an HTTP request head must arrive within this (else 408)")
    static let idleTimeout = Flag("idle-timeout", .duration(.seconds(1) ... .seconds(3_600)), .value("60s"),
                                  help: "an idle keep-alive API connection closes after this")
    static let frameIdleTimeout = Flag("frame-idle-timeout", .duration(.seconds(1) ... .seconds(3_600)), .value("30s"),
                                       help: "a peer or agent connection with no frame for this long closes")
    static let shutdownTimeout = Flag("shutdown-timeout", .duration(.zero ... .seconds(600)), .value("10s"),
                                      help: "on SIGTERM, open connections get this long to finish; 0 closes them at once")

    static let initialCluster = Flag("initial-cluster", .text("NAME=HOST:PORT,..."), .described("this node alone"),
                                     help: "the founding members and their peer addresses, binding from the first start on")
    static let initialClusterState = Flag("initial-cluster-state", .choice(["new", "existing"]), .value("new"),
                                          help: "existing for a member added with 'hotswap cluster member add'")
    static let initialClusterToken = Flag("initial-cluster-token", .text("TOKEN"), .described("none"),
                                          help: "mixed into a new cluster's identity at its founding; ignored after")
    static let advertiseAPIAddress = Flag("advertise-api-addr", .text("HOST:PORT"), .described("the bound address"),
                                          help: "the API address or host name:port published to the cluster")
    static let advertiseAgentAddress = Flag("advertise-agent-addr", .text("HOST:PORT"), .described("the bound address"),
                                            help: "the agent address or host name:port published to the cluster")

    static let agentSuspectAfter = Flag("agent-suspect-after", .duration(.milliseconds(100) ... .seconds(3_600)), .value("3s"),
                                        help: "an agent silent this long is suspect; at most --agent-down-after")
    static let agentDownAfter = Flag("agent-down-after", .duration(.milliseconds(100) ... .seconds(3_600)), .value("30s"),
                                     help: "an agent silent this long is down")
    static let agentFailoverGrace = Flag("agent-failover-grace", .duration(.zero ... .seconds(600)), .value("10s"),
                                         help: "after this node becomes leader, no agent is suspect or down for this long")
    static let agentHelloHold = Flag("agent-hello-hold", .duration(.zero ... .seconds(300)),
                                     .described("four election timeouts"),
                                     help: "how long a follower holds an agent's hello while it cannot name the leader")
    static let agentWindowSamples = Flag("agent-window-samples", .count(1...3_600), .value("300"),
                                         help: "full-resolution samples the leader keeps per node")
    static let agentWindowMinutes = Flag("agent-window-minutes", .count(1...1_440), .value("60"),
                                         help: "minute summaries the leader keeps per node")
    static let agentNodesMaximum = Flag("agent-nodes-maximum", .count(1...CoordinatorConfiguration.agentNodesLimit),
                                        .value("\(CoordinatorConfiguration.agentNodesLimit)"),
                                        help: "nodes the leader keeps windows for; a new node beyond it is refused")
    static let nodeRetention = Flag("node-retention", .duration(.seconds(60) ... .seconds(30 * 86_400)), .value("24h"),
                                    help: "a node with no session and no report this long loses its window on the leader; "
                                        + "at least --agent-down-after plus --agent-failover-grace")

    static let raftTick = Flag("raft-tick", .duration(.milliseconds(1) ... .seconds(1)), .value("50ms"),
                               help: "Raft's unit of time: a heartbeat every tick")
    static let electionTimeoutTicks = Flag("election-timeout-ticks", .count(CoordinatorConfiguration.electionTimeoutTicksRange),
                                           .value("10"),
                                           help: "a follower without a leader campaigns after 1 to 2 times this many ticks")
    static let snapshotEveryEntries = Flag("snapshot-every-entries", .count(CoordinatorConfiguration.snapshotEveryEntriesRange),
                                           .value("10000"), help: "applied entries between snapshots of the fleet state")
    static let auditRetention = Flag("audit-retention", .duration(CoordinatorConfiguration.auditRetentionRange), .value("2160h"),
                                     help: "how long audit records are kept (2160h: 90 days); older ones are dropped")
    static let moduleRetention = Flag("module-retention", .count(CoordinatorConfiguration.moduleRetentionRange), .value("10"),
                                      help: "versions of each module kept; older ones no node runs are deleted")
    static let deploymentRetention = Flag("deployment-retention", .duration(CoordinatorConfiguration.deploymentRetentionRange),
                                          .value("168h"), help: "how long finished deployments are kept (168h: 7 days)")

    static let approvalWebhookCA = Flag("approval-webhook-ca", .text("CA.pem"),
                                        .value(CoordinatorConfiguration.approvalWebhookTrustRootsDefault),
                                        help: "the CA certificates approval webhooks' https receivers are checked against; "
                                            + "one named here that cannot be loaded stops the start")

    static let signingKey = Flag("signing-key", .text("FILE"),
                                 help: "the cluster CA's key (mode 0600, 0400 or 0440): enroll agents with join tokens "
                                     + "on the agent port; without it, none")

    static let agentCertificateLifetime = Flag(
        "agent-certificate-lifetime", .duration(CoordinatorConfiguration.agentCertificateLifetimeRange), .value("720h"),
        help: "how long the agent certificates enrollment and renewal issue are valid (720h: 30 days)")

    static let approvalWebhookAllowLoopback = Flag("approval-webhook-allow-loopback", .none,
                                                   help: "let approval webhooks name a loopback address (tests, dev); else refused")

    static let bootstrapAdminPasswordFile = Flag(
        "bootstrap-admin-password-file", .text("PATH"), .described("$\(BootstrapPassword.environmentName)"),
        help: "the first admin's password (mode 0600), needed to found a cluster; ignored once it has users")
    static let tokenTTL = Flag("token-ttl", .duration(.seconds(300) ... .seconds(86_400)), .value("1h"),
                               help: "how long an API token from a login is valid")
    static let apiRatePerAddress = Flag("api-rate-per-address", .count(1...AccessSettings.requestsPerSecondMaximum),
                                        .value("200"), help: "API requests a second per source address (burst twice this)")
    static let apiRatePerUser = Flag("api-rate-per-user", .count(1...AccessSettings.requestsPerSecondMaximum),
                                     .value("100"), help: "API requests a second per user (burst twice this)")
    static let apiAllowedOrigin = Flag("api-allowed-origin", .text("https://HOST[:PORT]"), repeats: true,
                                       help: "a browser origin that may call the API (CORS); none by default")

    static let all = [
        name, dataDirectory, tlsDirectory, peerAddress, agentAddress, apiAddress, Flag.logLevel,
        handshakeTimeout, requestTimeout, idleTimeout, frameIdleTimeout, shutdownTimeout,
        initialCluster, initialClusterState, initialClusterToken, advertiseAPIAddress, advertiseAgentAddress,
        agentSuspectAfter, agentDownAfter, agentFailoverGrace, agentHelloHold,
        agentWindowSamples, agentWindowMinutes, agentNodesMaximum, nodeRetention,
        raftTick, electionTimeoutTicks, snapshotEveryEntries,
        bootstrapAdminPasswordFile, tokenTTL, apiRatePerAddress, apiRatePerUser, auditRetention, moduleRetention, deploymentRetention,
        apiAllowedOrigin, approvalWebhookCA, approvalWebhookAllowLoopback, signingKey,
        agentCertificateLifetime,
    ]

    /// The longest election timeout (`--raft-tick` × `--election-timeout-ticks`) a coordinator
    /// takes: a minute without a leader is an outage, and four of them (the default hello hold) stay
    /// within the hold's own 5-minute bound.
    static let electionTimeoutMaximum: Duration = .seconds(60)
}
