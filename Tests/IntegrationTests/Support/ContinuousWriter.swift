import Foundation
import Locking
import TestSupport

/// Writes environments in a loop on its own thread while a test changes the
/// cluster under it, and remembers which writes were acknowledged. Write `i`
/// stores `approvalTimeoutSeconds = 60 + i` in environment `w-(i % 40)`, so a
/// reader can tell, per environment, whether the last acknowledged write (or
/// a later one) survived.
final class ContinuousWriter: @unchecked Sendable {
    private struct State {
        var targets: [String]
        var stopRequested = false
        var lastAcknowledged: [String: Int] = [:]
        var acknowledgedCount = 0
        var attemptCount = 0
    }

    private let ca: String
    private let authorization: [String]
    private let state: Locked<State>
    private let finished = DispatchSemaphore(value: 0)

    static let environmentCount = 40

    /// Starts writing at once, spreading writes over the API URLs in `targets`, sending curl
    /// `authorization` (`ClusterFixture.authorization`).
    init(ca: String, authorization: [String], targets: [String]) {
        self.ca = ca
        self.authorization = authorization
        state = Locked(State(targets: targets))
        let thread = Thread { [self] in
            run()
            finished.signal()
        }
        thread.start()
    }

    /// Replaces the API URLs writes go to (members come and go).
    func setTargets(_ targets: [String]) {
        state.withLock { $0.targets = targets }
    }

    /// Stops after the write in flight and returns, per environment, the
    /// sequence number of its last acknowledged write.
    func stop() -> (lastAcknowledged: [String: Int], acknowledged: Int, attempted: Int) {
        state.withLock { $0.stopRequested = true }
        finished.wait()
        return state.withLock { ($0.lastAcknowledged, $0.acknowledgedCount, $0.attemptCount) }
    }

    var acknowledgedCount: Int { state.withLock { $0.acknowledgedCount } }

    private func run() {
        var sequence = 0
        while true {
            let (stop, targets) = state.withLock { ($0.stopRequested, $0.targets) }
            if stop { return }
            guard !targets.isEmpty else {
                usleep(50_000)
                continue
            }
            sequence += 1
            let environment = "w-\(sequence % Self.environmentCount)"
            let target = targets[sequence % targets.count]
            let body = #"{"defaultStrategy":"rolling","requiresApproval":false,"approvalTimeoutSeconds":\#(60 + sequence)}"#
            let output = try? ExternalCommand.run([
                "curl", "-sS", "--max-time", "6", "--cacert", ca, "-o", "/dev/null", "-w", "%{http_code}",
                "-X", "PUT", "-d", body] + authorization + ["\(target)/api/v1/environments/\(environment)"])
            let acknowledged = (200...201).contains(Int(output?.standardOutput ?? "") ?? 0)
            state.withLock { state in
                state.attemptCount += 1
                if acknowledged {
                    state.acknowledgedCount += 1
                    state.lastAcknowledged[environment] = sequence
                }
            }
            if !acknowledged { usleep(50_000) }
        }
    }
}
