import Cluster
import ModuleArchive
import Observability
import Primitives
import Transport

/// Removes from this coordinator's store the artifacts no applied record names
/// (Docs/MODULES.md, "Retention"): a version deleted by an admin or by retention, or an upload
/// whose record never committed. The fetcher's round hands it what the records name; once an
/// artifact has gone unnamed for `ArtifactCollectionPlan.grace`, it is removed on the uploads'
/// disk thread, never on the Raft loop, naming the placement it saw so bytes stored again meanwhile
/// stay. One removal job at a time (`removalsMaximum`, counted in `ModuleUploads.queueMaximum`).
/// Confined to the Raft loop, like the fetcher's round.
final class ArtifactCollection: @unchecked Sendable {
    static let removalsMaximum = 1

    private let uploads: ModuleUploads
    private let loop: EventLoop
    private let logger: Logger
    private let removedCount: Counter
    private let failures: Counter
    private var plan = ArtifactCollectionPlan()
    private var isRemoving = false

    init(uploads: ModuleUploads, loop: EventLoop, logger: Logger, metrics: MetricsRegistry) {
        self.uploads = uploads
        self.loop = loop
        self.logger = logger
        removedCount = metrics.counter("hotswap_module_artifacts_collected_total",
                                       help: "Stored module artifacts removed because no record named them for the grace period.")
        failures = metrics.counter("hotswap_module_artifact_collections_failed_total",
                                   help: "Removals of unnamed module artifacts that failed (retried next round).")
    }

    /// One round at `now`: `named` holds the digests the applied records name.
    func round(named: Set<[UInt8]>, now: MonotonicInstant) {
        loop.preconditionInLoop()
        var unnamed: [[UInt8]: UInt64] = [:]
        for (digest, placement) in uploads.store.placements() where !named.contains(digest.bytes) {
            unnamed[digest.bytes] = placement
        }
        let due = plan.due(unnamed: unnamed, now: now)
        guard !due.isEmpty, !isRemoving else { return }
        let candidates = Dictionary(uniqueKeysWithValues: due.compactMap { bytes, placement in
            ArtifactDigest(bytes: bytes).map { ($0, placement) }
        })
        let store = uploads.store
        isRemoving = true
        let queued = uploads.run(on: loop, { () -> Result<[ModuleStore.Artifact], ModuleStoreError> in
            do throws(ModuleStoreError) { return .success(try store.collect(candidates)) } catch { return .failure(error) }
        }, answer: { [self] answer in removed(answer) })
        if !queued { isRemoving = false }
    }

    private func removed(_ answer: Result<[ModuleStore.Artifact], ModuleStoreError>?) {
        isRemoving = false
        switch answer {
        case nil: return
        case let .success(artifacts):
            for artifact in artifacts {
                removedCount.increment()
                logger.info("module artifact removed: no record names it", ["sha256": artifact.digest.hex,
                                                                            "bytes": "\(artifact.byteCount)"])
            }
        case let .failure(error):
            failures.increment()
            logger.error("removing unnamed module artifacts failed; retrying next round", ["error": error.description])
        }
    }
}
