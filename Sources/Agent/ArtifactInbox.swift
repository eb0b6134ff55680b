import Locking
import Primitives
import Telemetry
import Transport

/// Hands the frames of the one artifact fetch under way from the session's loop to the module
/// worker that writes them, bounded in bytes: frames from another link than the fetch's, or
/// while no fetch waits, are dropped. More than `bytesMaximum` waiting (the session cannot pause
/// one link) drops the bytes of the chunks that wait and answers `overflowed` once; from then on
/// chunks are kept without their bytes, so the worker can skip the transfer to its end before
/// asking again. The
/// loop never blocks on it.
final class ArtifactInbox: Sendable {
    /// What a wait for frames gave.
    enum Next: Equatable {
        case frames([ArtifactFrame])
        /// The link went away, or the request was not sent.
        case failed(String)
        /// More than `bytesMaximum` waited; the frames after this carry no chunk bytes.
        case overflowed(String)
        case timedOut
        /// The agent is stopping.
        case interrupted
    }

    private struct State {
        var link: SessionLinkID?
        var frames: [ArtifactFrame] = []
        var bytes = 0
        var failure: String?
        var overflow: String?
        /// After an overflow: chunks are kept without their bytes.
        var discarding = false
        var interrupted = false

        /// Frames for `link` only from now on, none kept.
        mutating func clear(keeping link: SessionLinkID?) {
            self.link = link
            frames = []
            bytes = 0
            overflow = nil
            discarding = false
        }
    }

    let bytesMaximum: Int
    private let state = Locked(State())
    private let signal: WakeSignal

    init(bytesMaximum: Int) throws(AgentModulesError) {
        self.bytesMaximum = bytesMaximum
        signal = try WakeSignal()
    }

    /// Worker: frames on `link` are now kept for it; anything left from an earlier request is dropped.
    func expect(on link: SessionLinkID) {
        state.withLock { state in
            state.clear(keeping: link)
            state.failure = nil
        }
    }

    /// Worker: no fetch waits any more.
    func stopExpecting() {
        state.withLock { $0.clear(keeping: nil) }
    }

    /// Loop: a frame from `link`.
    func deliver(_ frame: ArtifactFrame, on link: SessionLinkID) {
        let kept = state.withLock { state -> Bool in
            guard state.link == link, state.failure == nil else { return false }
            if state.bytes + Self.bytes(of: frame) > bytesMaximum, !state.discarding {
                state.overflow = "more than \(bytesMaximum) bytes of the transfer waited for the disk"
                state.discarding = true
                state.frames = state.frames.map(Self.withoutBytes)
                state.bytes = state.frames.reduce(0) { $0 + Self.bytes(of: $1) }
            }
            let kept = state.discarding ? Self.withoutBytes(frame) : frame
            // Past the bound even without bytes: the worker is that far behind; the frame is dropped.
            guard state.bytes + Self.bytes(of: kept) <= bytesMaximum else { return true }
            state.bytes += Self.bytes(of: kept)
            state.frames.append(kept)
            return true
        }
        if kept { signal.notify() }
    }

    /// Loop: the fetch on `link` cannot go on (the link ended, or the request was not sent).
    func fail(on link: SessionLinkID, reason: String) {
        let failed = state.withLock { state -> Bool in
            guard state.link == link, state.failure == nil else { return false }
            state.failure = reason
            return true
        }
        if failed { signal.notify() }
    }

    /// Any thread: the agent stops; every wait from now on returns `interrupted`.
    func interrupt() {
        state.withLock { $0.interrupted = true }
        signal.notify()
    }

    var isInterrupted: Bool { state.withLock { $0.interrupted } }

    /// Worker: the frames that arrived, waiting for some until `deadline`.
    func next(until deadline: MonotonicInstant) -> Next {
        while true {
            if let next = take() { return next }
            guard MonotonicInstant.now() < deadline else { return .timedOut }
            signal.wait(until: deadline)
        }
    }

    private func take() -> Next? {
        state.withLock { state -> Next? in
            if state.interrupted { return .interrupted }
            if let failure = state.failure { return .failed(failure) }
            if let overflow = state.overflow {
                state.overflow = nil
                return .overflowed(overflow)
            }
            guard !state.frames.isEmpty else { return nil }
            defer {
                state.frames = []
                state.bytes = 0
            }
            return .frames(state.frames)
        }
    }

    /// Worker: sleeps `delay` unless interrupted first; false when interrupted.
    func pause(_ delay: Duration) -> Bool {
        let deadline = MonotonicInstant.now().advanced(by: delay)
        while MonotonicInstant.now() < deadline {
            if isInterrupted { return false }
            signal.wait(until: deadline)
        }
        return !isInterrupted
    }

    private static func withoutBytes(_ frame: ArtifactFrame) -> ArtifactFrame {
        guard case let .chunk(chunk) = frame else { return frame }
        return .chunk(TransferChunk(transferID: chunk.transferID, offset: chunk.offset, bytes: []))
    }

    private static func bytes(of frame: ArtifactFrame) -> Int {
        if case let .chunk(chunk) = frame { return chunk.bytes.count + 64 }
        return 256
    }
}
