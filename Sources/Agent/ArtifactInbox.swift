import Locking
import Primitives
import Telemetry
import Transport

/// Hands the frames of the one artifact fetch under way from the session's loop to the module
/// worker that writes them, bounded in bytes: frames from another link than the fetch's, or
/// while no fetch waits, are dropped; more than `bytesMaximum` waiting fails the fetch (the
/// session cannot pause one link). The loop never blocks on it.
final class ArtifactInbox: Sendable {
    /// What a wait for frames gave.
    enum Next: Equatable {
        case frames([ArtifactFrame])
        /// The link went away, the request was not sent, or the queue overflowed.
        case failed(String)
        case timedOut
        /// The agent is stopping.
        case interrupted
    }

    private struct State {
        var link: SessionLinkID?
        var frames: [ArtifactFrame] = []
        var bytes = 0
        var failure: String?
        var interrupted = false
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
            state.link = link
            state.frames = []
            state.bytes = 0
            state.failure = nil
        }
    }

    /// Worker: no fetch waits any more.
    func stopExpecting() {
        state.withLock { state in
            state.link = nil
            state.frames = []
            state.bytes = 0
        }
    }

    /// Loop: a frame from `link`.
    func deliver(_ frame: ArtifactFrame, on link: SessionLinkID) {
        let kept = state.withLock { state -> Bool in
            guard state.link == link, state.failure == nil else { return false }
            state.bytes += Self.bytes(of: frame)
            guard state.bytes <= bytesMaximum else {
                state.failure = "more than \(bytesMaximum) bytes of the transfer waited for the disk"
                state.frames = []
                return true
            }
            state.frames.append(frame)
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

    private static func bytes(of frame: ArtifactFrame) -> Int {
        if case let .chunk(chunk) = frame { return chunk.bytes.count + 64 }
        return 256
    }
}
