import Locking
import Modules
import ModuleArchive
import Observability
import Primitives
import Telemetry
import Transport
import Wire

/// Serves stored module artifacts to welcomed agents on the agent port (Docs/PROTOCOL.md, "Module
/// artifacts (agent port)"): a request names a sha256 a module record names and the store holds,
/// else it is refused `notHeld`; the artifact passes `ArtifactChecks` (shared with the peer port's
/// `ArtifactServer`) on the disk thread, then goes out as one chunked transfer of purpose
/// `artifact` (`OutgoingTransfer`), its chunks read on the disk thread too (never on an event
/// loop) and sent only while the connection is under its high-water mark (`AgentArtifactStream`).
/// Bounded: one transfer per agent connection (the session holds it), `transfersMaximum` on the
/// whole coordinator (else `busy`), each holding at most two reads of `chunksPerRead` chunks and
/// its slot until its last disk job answered (so the disk thread's queue holds at most one job per
/// slot, whatever agents do). Refusals are logged within `RefusalLogBudget`.
final class AgentArtifactServer: Sendable {
    static let transfersMaximum = 8
    static let chunksPerRead = 4

    let checks: ArtifactChecks
    let logger: Logger
    /// The size a module record names for the sha256 (the applied state's records); nil when none does.
    private let recordedBytes: @Sendable ([UInt8]) -> UInt64?
    private let active = Locked(0)
    private let refusalLog = RefusalLogBudget()
    private let served: Counter
    private let refused: Counter

    init(checks: ArtifactChecks, logger: Logger, metrics: MetricsRegistry, recordedBytes: @escaping @Sendable ([UInt8]) -> UInt64?) {
        self.checks = checks
        self.logger = logger
        self.recordedBytes = recordedBytes
        let help = "Module artifact requests from agents, by answer (a transfer begun, or a refusal)."
        served = metrics.counter("hotswap_agent_artifact_requests_total", help: help, labels: [("answer", "transfer")])
        refused = metrics.counter("hotswap_agent_artifact_requests_total", help: help, labels: [("answer", "refusal")])
        metrics.gaugeFunction("hotswap_agent_artifact_transfers_active",
                              help: "Agent artifact transfers holding a place (until they ended and their disk job answered).") {
            [active] in Double(active.withLock { $0 })
        }
    }

    /// Transfers under way or being prepared on this coordinator.
    var activeCount: Int { active.withLock { $0 } }

    /// Answers `request` from `node` on `channel` (on its loop): a refusal, or a stream that the
    /// session keeps until it ends. `current` is the session's stream: while it runs, `busy`.
    func serve(_ request: ArtifactRequest, node: String, on channel: FrameChannel, current: AgentArtifactStream?,
               transferID: UInt64) -> AgentArtifactStream? {
        if let reason = checks.refusal(of: request, recordedBytes: recordedBytes(request.sha256)) {
            refuse(request, reason, node: node, on: channel)
            return current
        }
        guard let start = ArtifactChecks.start(of: request) else {
            refuse(request, .badOffset, node: node, on: channel)
            return current
        }
        guard current?.isDone ?? true, let digest = ArtifactDigest(bytes: request.sha256), claim() else {
            refuse(request, .busy, node: node, on: channel)
            return current
        }
        let stream = AgentArtifactStream(server: self, request: request, start: start, node: node, channel: channel,
                                         transferID: transferID)
        stream.start(digest)
        return stream
    }

    func refuse(_ request: ArtifactRequest, _ reason: ArtifactRefusal.Reason, node: String, on channel: FrameChannel) {
        refused.increment()
        let refusal = ArtifactRefusal(sha256: request.sha256, reason: reason)
        if let suppressed = refusalLog.take(at: MonotonicInstant.now()) {
            logger.info("module artifact request from an agent refused", ["node": node, "sha256": HexText.lowercase(request.sha256),
                                                                          "reason": "\(refusal)", "not_logged_before": "\(suppressed)"])
        }
        channel.send(Frame(kind: FrameKind.artifactRefusal.rawValue, payload: ArtifactRequestCodec.encode(refusal)),
                     what: "module artifact refusal", refusalsTo: logger)
    }

    func noteTransferBegun() { served.increment() }

    private func claim() -> Bool {
        active.withLock { count in
            guard count < Self.transfersMaximum else { return false }
            count += 1
            return true
        }
    }

    /// A stream ended (sent, refused after its pass, failed or cut off) and no disk job of its
    /// waits or runs: its slot is free.
    func release() {
        active.withLock { $0 -= 1 }
    }
}
