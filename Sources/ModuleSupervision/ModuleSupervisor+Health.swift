import Glibc
import Primitives
import Transport

/// Probing the supervised module: once (for the agent's periodic report), or until it is healthy.
extension ModuleSupervisor {
    /// Runs the probe once, bounded by `timeout`; nil when the manifest has none. A stop
    /// interrupts it.
    public func probeOnce(timeout: Duration) -> ProbeOutcome? {
        probe?.run(timeout: timeout, interruptDescriptor: core.stoppedDescriptor)
    }

    /// Probes every `interval` (the pauses before the first pass start at `firstPause` and double
    /// up to it) until `successesNeeded` probes in a row pass, or `deadline`
    /// passes, or the process the wait began with ends, or the supervisor crash-loops, stops or is let go of.
    /// Each probe waits at most `SupervisionPolicy.probeTimeout`, and never past the deadline.
    public func waitUntilHealthy(successesNeeded: Int, interval: Duration, deadline: MonotonicInstant) -> HealthVerdict {
        precondition(successesNeeded > 0, "at least one success")
        let runs = status.runs
        guard let probe else {
            return HealthVerdict(ending: ending(sinceRuns: runs) ?? .noProbe)
        }
        var verdict = HealthVerdict(ending: .deadlinePassed)
        // Until the first success the pauses start short and double up to `interval`: a version
        // that is up within milliseconds is not made to wait a whole interval to be seen.
        var untilFirstSuccess = min(interval, Self.firstPause)
        var hasSucceeded = false
        while true {
            if let ending = ending(sinceRuns: runs) {
                verdict.ending = ending
                return verdict
            }
            let now = MonotonicInstant.now()
            guard now < deadline else { return verdict }
            verdict.count(probe.run(timeout: min(policy.probeTimeout, now.duration(until: deadline)),
                                    interruptDescriptor: core.stoppedDescriptor))
            if verdict.successesInARow >= successesNeeded {
                verdict.ending = .healthy
                return verdict
            }
            hasSucceeded = hasSucceeded || verdict.successesInARow > 0
            pause(hasSucceeded ? interval : untilFirstSuccess, before: deadline)
            untilFirstSuccess = min(untilFirstSuccess * 2, interval)
        }
    }

    /// The first pause of a wait, before its probes have ever passed.
    static let firstPause: Duration = .milliseconds(10)

    /// Why a wait must end now, if it must (a supervisor let go of counts as stopped).
    private func ending(sinceRuns runs: Int) -> HealthVerdict.Ending? {
        if core.request == .letGo { return .stopped }
        let status = core.status
        switch status.state {
        case .stopped, .idle: return .stopped
        case .crashLooping: return .crashLooping
        case .backingOff: return .processEnded
        case .running: return status.runs == runs ? nil : .processEnded
        }
    }

    /// Sleeps `interval` (at most until `deadline`), woken early by a stop.
    private func pause(_ interval: Duration, before deadline: MonotonicInstant) {
        let now = MonotonicInstant.now()
        guard now < deadline else { return }
        let wait = min(interval, now.duration(until: deadline))
        var entry = pollfd(fd: core.stoppedDescriptor, events: Int16(POLLIN), revents: 0)
        _ = poll(&entry, 1, Int32(clamping: (wait.wholeNanoseconds + 999_999) / 1_000_000))
    }
}
