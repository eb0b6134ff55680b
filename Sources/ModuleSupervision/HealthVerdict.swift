/// How a wait for a module to become healthy ended, with the evidence the caller reports.
public struct HealthVerdict: Equatable, Sendable {
    /// Why the wait ended.
    public enum Ending: Equatable, Sendable {
        /// The probe passed the number of times asked, in a row.
        case healthy
        /// The manifest has no probe and the process was running.
        case noProbe
        /// The deadline passed first.
        case deadlinePassed
        /// The process the wait began with ended (it may have been restarted since).
        case processEnded
        /// The supervisor gave up restarting.
        case crashLooping
        /// The supervisor was stopped or let go of (or had not started).
        case stopped
    }

    public var ending: Ending
    /// Probes run.
    public var tries = 0
    /// Successes in a row at the end.
    public var successesInARow = 0
    /// The last failed probe's detail (`connect: Connection refused`, `HTTP 503`, `timed out after 2 s; killed`).
    public var lastFailure: String?
    /// The last successful probe's latency.
    public var lastSuccessLatency: Duration?
    /// A command probe's output (at most `CommandProbe.outputBytesMaximum` bytes) from its last run.
    public var lastOutput = ""

    public var isHealthy: Bool { ending == .healthy || ending == .noProbe }

    init(ending: Ending) {
        self.ending = ending
    }

    mutating func count(_ outcome: ProbeOutcome) {
        tries += 1
        lastOutput = outcome.output
        if outcome.healthy {
            successesInARow += 1
            lastSuccessLatency = outcome.latency
        } else {
            successesInARow = 0
            lastFailure = outcome.detail
        }
    }
}
