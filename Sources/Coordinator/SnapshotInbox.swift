import Consensus
import Locking
import Observability
import Storage

/// What the peer port's connections share about chunked transfers: where
/// snapshots are spooled (files `snapshot-transfer-*.part` in the data
/// directory, removed at start when a crash left them), the size bounds,
/// which connection holds each sender's one transfer, and the counters.
final class SnapshotInbox: Sendable {
    static let spoolPrefix = "snapshot-transfer-"
    static let spoolSuffix = ".part"
    /// How long a transfer may go without a chunk before its connection is closed.
    static let transferStallMaximum: Duration = .seconds(15)
    /// The largest snapshot accepted: the largest the snapshot store keeps
    /// (`SnapshotFile.bodySizeMaximumBytes`, 1 GiB).
    static let snapshotBytesMaximum: UInt64 = 1 << 30
    /// The largest forwarded answer assembled, in memory, on a follower.
    static let forwardedAnswerBytesMaximum: UInt64 = 64 << 20

    static let limits = TransferAssembler.Limits(snapshotBytesMaximum: snapshotBytesMaximum,
                                                 forwardedAnswerBytesMaximum: forwardedAnswerBytesMaximum)

    let directory: String
    let logger: Logger
    private let completed: Counter
    private let refused: Counter
    /// Sender → the serial of the connection whose transfer is its current one.
    private let holders = Locked<[NodeID: UInt64]>([:])
    private let serials = Locked<UInt64>(0)

    init(dataDirectory: String, logger: Logger, metrics: MetricsRegistry) throws(StorageError) {
        directory = dataDirectory
        self.logger = logger
        completed = metrics.counter("hotswap_peer_transfers_completed_total",
                                    help: "Chunked transfers (snapshots, forwarded answers) received whole and verified.")
        refused = metrics.counter("hotswap_peer_transfers_refused_total",
                                  help: "Chunked transfers refused (out of order, oversized, truncated, bad checksum, disk errors).")
        let leftovers = try SpoolFile.removeLeftovers(in: dataDirectory, prefix: Self.spoolPrefix, suffix: Self.spoolSuffix)
        if !leftovers.isEmpty {
            logger.info("removed unfinished snapshot transfers", ["files": leftovers.joined(separator: ",")])
        }
    }

    /// A serial for a new connection, unique in this process.
    func takeSerial() -> UInt64 {
        serials.withLock { serial in
            serial += 1
            return serial
        }
    }

    func spoolPath(sender: String, serial: UInt64) -> String {
        let name = "\(Self.spoolPrefix)\(sender)-\(serial)\(Self.spoolSuffix)"
        return directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }

    /// Makes connection `serial` the holder of `sender`'s one transfer; the
    /// previous holder finds out at its next frame (`holds`) and drops its own.
    func claim(sender: NodeID, serial: UInt64) {
        holders.withLock { $0[sender] = serial }
    }

    func holds(sender: NodeID, serial: UInt64) -> Bool {
        holders.withLock { $0[sender] == serial }
    }

    func release(sender: NodeID, serial: UInt64) {
        holders.withLock { holders in
            if holders[sender] == serial { holders[sender] = nil }
        }
    }

    func noteCompleted() { completed.increment() }

    func noteRefused() { refused.increment() }
}
