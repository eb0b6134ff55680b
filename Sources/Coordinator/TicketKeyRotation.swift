import Cluster
import Fleet
import Observability
import Transport

/// The agent port's session ticket keys, replicated through Raft: the leader proposes a fresh
/// key when there is none or the newest is older than `interval`, one attempt at a time, and
/// every coordinator hands the replicated keys to its agent port whenever they change.
/// Confined to the Raft loop, like `RaftService`, which owns it.
final class TicketKeyRotation: @unchecked Sendable {
    /// How often the leader adds a key. Three are kept (`FleetState.ticketKeysMaximum`), so a key
    /// opens tickets for two rotations after it stopped sealing them: longer than a ticket lives.
    static let interval: Duration = .seconds(3_600)

    private let logger: Logger
    private let unusableRecords: Counter
    private let proposalsFailed: Counter
    /// A run's target is the newest key a new one would follow (each attempt makes a new key).
    private var failureRun = FailureRun<[UInt8]?>()
    private var isProposing = false
    private var published: [TicketKeyRecord] = []
    /// Hears the keys whenever the replicated ones change (and once at start); set once before
    /// the service starts.
    var observer: (@Sendable ([SessionTicketKey]) -> Void)?

    init(logger: Logger, metrics: MetricsRegistry) {
        self.logger = logger
        unusableRecords = metrics.counter(
            "hotswap_ticket_key_records_unusable_total",
            help: "Replicated session ticket key records that could not be made into a key (skipped).")
        proposalsFailed = metrics.counter("hotswap_ticket_key_proposals_failed_total",
                                          help: "Runs of failed proposals of a new session ticket key: one per run of "
                                              + "retries that fail, until one succeeds or another key is newest.")
    }

    /// On the leader with a valid lease: proposes a new key through `submit` when one is due.
    func proposeIfDue(newest: TicketKeyRecord?, isLeaseValid: Bool,
                      submit: (ClusterRequest, @escaping @Sendable (ClusterOutcome) -> Void) -> Void) {
        guard !isProposing, isLeaseValid else { return }
        let now = WallClock.nowMilliseconds()
        if let newest, now < newest.createdAtMilliseconds &+ UInt64(Self.interval.wholeMilliseconds) { return }
        let key: SessionTicketKey
        do {
            key = try SessionTicketKey.generate()
        } catch {
            return logger.error("cannot make a session ticket key; agents resume no sessions", ["error": "\(error)"])
        }
        let record = TicketKeyRecord(name: key.name, secret: key.aesKey + key.hmacKey, createdAtMilliseconds: now)
        isProposing = true
        submit(.write(FleetCodec.encode(.addTicketKey(record)))) { [self] outcome in
            isProposing = false
            if !outcome.succeeded {
                if failureRun.failed(newest?.name) { proposalsFailed.increment() }
                logger.debug("adding a session ticket key failed; retrying", ["outcome": outcome.logSummary])
            } else {
                failureRun.succeeded()
                logger.info("session ticket key added", ["key": record.nameHex])
            }
        }
    }

    /// Hands `records` to `observer` when they differ from what it last heard. A record that
    /// cannot be made into a key is logged, counted and skipped: the agent port then resumes
    /// no sessions sealed with it, and nothing else depends on it.
    func publishIfChanged(_ records: [TicketKeyRecord]) {
        guard records != published else { return }
        published = records
        var keys: [SessionTicketKey] = []
        for record in records {
            do {
                keys.append(try SessionTicketKey(name: record.name,
                                                 aesKey: Array(record.secret.prefix(SessionTicketKey.aesKeyLength)),
                                                 hmacKey: Array(record.secret.suffix(SessionTicketKey.hmacKeyLength))))
            } catch {
                unusableRecords.increment()
                logger.error("a replicated session ticket key is unusable; skipped", ["key": record.nameHex, "error": "\(error)"])
            }
        }
        observer?(keys)
    }
}
