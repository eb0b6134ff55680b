import Cluster
import Consensus
import Fleet
import Locking
import Modules
import ModuleArchive
import Observability
import Primitives
import Telemetry
import Transport
import Wire

/// Brings every recorded module artifact into this coordinator's store (Docs/MODULES.md,
/// "Artifacts on every coordinator"): once a second, on the Raft loop, it compares what the
/// applied records name with what the store holds (`ArtifactFetchPlan`) and asks one member for
/// one missing artifact at a time — a follower its leader, the leader the other members in turn
/// — with `artifactRequest`. The answer arrives on the peer port: a transfer, written into the
/// store by an `ArtifactDownload`, or an `artifactRefusal`. Each outcome is logged and counted;
/// a failure is retried with the plan's backoff. It holds the `ArtifactServer` that answers the
/// other members' requests. Sendable: the plan is under a lock, and the
/// peer loop reports what arrives.
final class ArtifactFetcher: Sendable {
    static let roundInterval: Duration = .seconds(1)

    /// The fetch asked for and not ended yet.
    private struct Asked {
        let serial: UInt64
        let digest: ArtifactDigest
        let byteCount: UInt64
        let source: NodeID
        let sourceName: String
    }

    private struct State {
        var plan = ArtifactFetchPlan(bound: FleetState.moduleVersionsMaximum)
        var asked: Asked?
        var timer: TimerID?
        var isStopped = false
    }

    let uploads: ModuleUploads
    let logger: Logger
    /// Answers the other members' requests.
    let server: ArtifactServer
    /// Removes the artifacts no record names any more.
    private let collection: ArtifactCollection
    private let service: RaftService
    private let state = Locked(State())
    private let stored: Counter
    private let failed: Counter

    init(service: RaftService, uploads: ModuleUploads, logger: Logger, metrics: MetricsRegistry) {
        self.service = service
        self.uploads = uploads
        self.logger = logger
        server = ArtifactServer(service: service, uploads: uploads, metrics: metrics)
        collection = ArtifactCollection(uploads: uploads, loop: service.loop, logger: logger, metrics: metrics)
        let help = "Module artifact fetches from another coordinator, by result (stored, failed)."
        stored = metrics.counter("hotswap_module_artifact_fetches_total", help: help, labels: [("result", "stored")])
        failed = metrics.counter("hotswap_module_artifact_fetches_total", help: help, labels: [("result", "failed")])
        metrics.gaugeFunction("hotswap_module_artifacts_missing",
                              help: "Module artifacts the applied records name that this coordinator's store does not hold yet.") {
            [state] in Double(state.withLock { $0.plan.missingCount })
        }
    }

    /// Starts the rounds on the Raft loop.
    func start() {
        service.loop.execute { [self] in scheduleRound() }
    }

    /// Stops the rounds; a download under way is left to the uploads' stop.
    func stop() {
        service.loop.runAndWait { [self] in
            let timer = state.withLock { state -> TimerID? in
                state.isStopped = true
                defer { state.timer = nil }
                return state.timer
            }
            if let timer { service.loop.cancelTimer(timer) }
        }
    }

    private func scheduleRound() {
        let timer = service.loop.scheduleTimer(after: Self.roundInterval) { [self] in
            round()
            scheduleRound()
        }
        let stale = state.withLock { state -> Bool in
            guard !state.isStopped else { return true }
            state.timer = timer
            return false
        }
        if stale { service.loop.cancelTimer(timer) }
    }

    /// Compares the records with the store, fails a stalled fetch, asks for the next artifact, and
    /// removes artifacts no record has named for a while.
    private func round() {
        service.loop.preconditionInLoop()
        guard !state.withLock({ $0.isStopped }) else { return }
        let view = service.view
        var sizes: [[UInt8]: UInt64] = [:]
        for versions in view.modules.values {
            for record in versions.values { sizes[record.sha256] = record.byteCount }
        }
        let held = Set(uploads.store.artifacts().map(\.digest.bytes))
        let now = MonotonicInstant.now()
        collection.round(named: Set(sizes.keys), now: now)
        let dropped = state.withLock { state -> Asked? in
            guard let serial = state.plan.update(recorded: Set(sizes.keys), held: held), state.asked?.serial == serial else { return nil }
            defer { state.asked = nil }
            return state.asked
        }
        if let dropped {
            logger.info("module artifact fetch dropped: no record names it any more", ["sha256": dropped.digest.hex])
        }
        if let stalled = state.withLock({ $0.plan.stalled(now: now) }) {
            fail(stalled, reason: "its transfer did not begin within \(ArtifactFetchPlan.beginMaximum) "
                 + "or made no progress for \(ArtifactFetchPlan.stallMaximum)")
        }
        ask(view: view, sizes: sizes, now: now)
    }

    /// Asks a member for the next due artifact, if one is due and a member can be asked.
    private func ask(view: ClusterView, sizes: [[UInt8]: UInt64], now: MonotonicInstant) {
        let others = (view.voters + view.learners).filter { $0 != service.selfMember.id }.sorted()
        let leader = view.leaderName.flatMap { view.directory.member(named: $0)?.id }
        guard view.role == .leader ? !others.isEmpty : leader != nil && leader != service.selfMember.id else { return }
        let asked = state.withLock { state -> Asked? in
            guard let start = state.plan.next(now: now) else { return nil }
            guard let digest = ArtifactDigest(bytes: start.digest) else {
                // Records hold 32-byte digests; should one not, it must not hold the plan's one running fetch.
                _ = state.plan.failed(start.serial, now: now)
                return nil
            }
            // A follower asks its leader; a leader (which took over before fetching) each other member in turn.
            let source = view.role == .leader ? others[(start.attempt - 1) % others.count] : leader ?? 0
            let asked = Asked(serial: start.serial, digest: digest, byteCount: sizes[start.digest] ?? 0, source: source,
                              sourceName: view.directory.displayName(of: source))
            state.asked = asked
            return asked
        }
        guard let asked else { return }
        let frame = Frame(kind: FrameKind.artifactRequest.rawValue,
                          payload: ArtifactRequestCodec.encode(ArtifactRequest(sha256: asked.digest.bytes, offset: 0)))
        guard service.peers.send(frame, to: asked.source, what: "module artifact request") else {
            return fail(asked.serial, reason: "the request to \(asked.sourceName) could not be sent")
        }
        logger.info("module artifact requested", ["sha256": asked.digest.hex, "bytes": "\(asked.byteCount)", "from": asked.sourceName])
    }

    /// The download for an artifact transfer that begins on the peer port: nil (its chunks are
    /// dropped) unless it is the artifact asked for, from the member asked, the first transfer
    /// for that fetch, whole (offset 0, the recorded size), and a disk slot is free — a transfer
    /// not asked for is logged, a refused one fails the fetch. Its begin starts the fetch's stall clock.
    func admit(_ header: TransferHeader, _ request: ArtifactRequest, from peer: ClusterTopology.Member,
               loop: EventLoop) -> ArtifactDownload? {
        let asked = state.withLock { state -> Asked? in
            guard let asked = state.asked, asked.digest.bytes == request.sha256, asked.source == peer.id,
                  state.plan.began(asked.serial, now: .now()) else { return nil }
            return asked
        }
        guard let asked else {
            logger.info("module artifact transfer not asked for; its chunks are dropped",
                        ["peer": peer.name, "sha256": HexText.lowercase(request.sha256)])
            return nil
        }
        guard request.offset == 0, header.totalBytes == asked.byteCount else {
            fail(asked.serial, reason: "\(peer.name) sent \(header.totalBytes) bytes from offset \(request.offset), "
                 + "not the recorded \(asked.byteCount) from 0")
            return nil
        }
        guard uploads.claimSlot(for: ModuleUploads.peerCaller(peer.name)) == nil else {
            fail(asked.serial, reason: "every module upload slot is taken")
            return nil
        }
        do throws(ModuleStoreError) {
            let upload = try uploads.store.beginUpload(declaredBytes: Int64(header.totalBytes))
            return ArtifactDownload(serial: asked.serial, digest: asked.digest, peerName: peer.name, upload: upload,
                                    fetcher: self, loop: loop)
        } catch {
            uploads.releaseSlot(for: ModuleUploads.peerCaller(peer.name))
            fail(asked.serial, reason: "the store refused it: \(error)")
            return nil
        }
    }

    /// A member's refusal of what was asked: the fetch fails with its reason.
    func refused(_ refusal: ArtifactRefusal, from peer: ClusterTopology.Member) {
        guard let asked = state.withLock({ $0.asked }), asked.digest.bytes == refusal.sha256, asked.source == peer.id else { return }
        fail(asked.serial, reason: "\(peer.name) refused: \(refusal)")
    }

    /// Whether fetch `serial` is still wanted, noting that it moved.
    func progressed(_ serial: UInt64) -> Bool {
        state.withLock { $0.plan.progressed(serial, now: .now()) }
    }

    /// Fetch `serial` stored its artifact.
    func succeeded(_ serial: UInt64, digest: ArtifactDigest, byteCount: Int64, from peerName: String) {
        let ended = state.withLock { state -> Bool in
            guard state.plan.succeeded(serial) else { return false }
            state.asked = nil
            return true
        }
        guard ended else { return }
        stored.increment()
        logger.info("module artifact fetched", ["sha256": digest.hex, "bytes": "\(byteCount)", "from": peerName])
        service.loop.execute { [self] in round() }
    }

    /// Fetch `serial` failed: logged with its reason and the wait before the next attempt.
    func fail(_ serial: UInt64, reason: String) {
        let outcome = state.withLock { state -> (Asked, ArtifactFetchPlan.Failure?)? in
            guard let asked = state.asked, asked.serial == serial else { return nil }
            state.asked = nil
            return (asked, state.plan.failed(serial, now: .now()))
        }
        guard let (asked, failure) = outcome else { return }
        failed.increment()
        logger.warning("module artifact fetch failed; retrying later",
                       ["sha256": asked.digest.hex, "from": asked.sourceName, "reason": reason,
                        "failures": failure.map { "\($0.failures)" } ?? "1", "retry_in": failure.map { "\($0.retryIn)" } ?? "0s"])
    }
}
