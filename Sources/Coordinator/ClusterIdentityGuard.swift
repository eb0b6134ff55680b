import Cluster
import Locking
import Observability

/// This member's cluster identity as its peer connections check it (Docs/CLUSTER.md, "Cluster
/// identity"): each connection's first frame shows the peer's (`PeerReceiver`), and a peer of
/// another cluster is refused, logged and counted before any Raft message of it is read. A
/// joining member takes the first identity shown by a peer of its own `--initial-cluster` (whose
/// certificate names that member) and records it in its founding record; an identity shown by any
/// other peer before then is refused, never adopted.
final class ClusterIdentityGuard: Sendable {
    /// What this run's pings advertise: the identity at start (a joining member's stays `joining`
    /// until its next start, which its peers admit).
    let advertised: ClusterIdentity
    private let current: Locked<ClusterIdentity>
    /// The peers and identities whose refusal was logged: a refused link redials every second,
    /// so each pair is logged once (and counted every time), up to `loggedRefusalsMaximum` pairs.
    private let loggedRefusals = Locked<Set<String>>([])
    static let loggedRefusalsMaximum = 64
    private let refusals: Counter
    private let logger: Logger
    /// Records an adopted identity; called once, on the connection's loop.
    private let record: @Sendable (ClusterIdentity) throws -> Void
    /// The members a joining member may learn its identity from: the others of its `--initial-cluster`.
    private let teachers: Set<String>

    init(identity: ClusterIdentity, teachers: Set<String> = [], logger: Logger, metrics: MetricsRegistry,
         record: @escaping @Sendable (ClusterIdentity) throws -> Void) {
        advertised = identity
        self.teachers = teachers
        current = Locked(identity)
        self.logger = logger
        self.record = record
        refusals = metrics.counter("hotswap_peer_cluster_refusals_total",
                                   help: "Peer connections refused because the peer belongs to another cluster "
                                       + "(its cluster identity differs from this member's).")
    }

    /// A guard that records an adopted identity in the data directory's founding record.
    /// The member may learn an identity from the others of `founding`'s topology (its `--initial-cluster`).
    static func recording(_ founding: FoundingRecord.Decision, of configuration: CoordinatorConfiguration, logger: Logger,
                          metrics: MetricsRegistry) -> ClusterIdentityGuard {
        let dataDirectory = configuration.dataDirectory
        let teachers = Set(founding.topology.members.map(\.name).filter { $0 != configuration.name })
        return ClusterIdentityGuard(identity: founding.identity, teachers: teachers, logger: logger, metrics: metrics) { adopted in
            guard let recorded = try FoundingRecord.read(dataDirectory: dataDirectory) else { return }
            try recorded.with(identity: adopted).write(dataDirectory: dataDirectory)
        }
    }

    var identity: ClusterIdentity { current.withLock { $0 } }

    /// Whether a connection from `peer` showing `remote` may go on; a refusal is logged and counted.
    func admits(_ remote: ClusterIdentity, peer: String) -> Bool {
        let (local, verdict) = current.withLock { identity in
            var verdict = ClusterIdentity.verdict(local: identity, remote: remote)
            if case .adopt = verdict, !teachers.contains(peer) { verdict = .refuse }
            let before = identity
            if case let .adopt(adopted) = verdict { identity = adopted }
            return (before, verdict)
        }
        switch verdict {
        case .admit:
            return true
        case let .adopt(adopted):
            logger.info("cluster identity learned from a peer", ["peer": peer, "cluster": "\(adopted)"])
            do { try record(adopted) } catch {
                logger.warning("the learned cluster identity was not recorded; it is learned again at the next start",
                               ["error": "\(error)"])
            }
            return true
        case .refuse:
            refusals.increment()
            let isFirst = loggedRefusals.withLock { logged in
                logged.count < Self.loggedRefusalsMaximum && logged.insert("\(peer) \(remote)").inserted
            }
            if isFirst {
                logger.warning("peer refused: it belongs to another cluster",
                               ["peer": peer, "peerCluster": "\(remote)", "cluster": "\(local)"])
            }
            return false
        }
    }
}
