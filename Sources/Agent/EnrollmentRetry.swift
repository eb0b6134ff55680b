import Glibc
import Observability
import Transport

/// How an agent retries an enrollment no coordinator answered (a coordinator whose bound on
/// connections without a certificate is full closes them unanswered): inside the process, with a
/// jittered exponential backoff, a bounded number of times, so a service manager does not restart
/// it every few seconds. A refused token, a CA that does not match the pin or a local fault is not
/// retried. SIGTERM still stops it at once: signals are not yet blocked while it enrolls.
public struct EnrollmentRetry: Sendable {
    /// The first wait, doubling per further attempt up to `delayMaximum`, each drawn from [d/2, d].
    public var delayInitial: Duration = .seconds(1)
    public var delayMaximum: Duration = .seconds(60)
    /// Attempts in all (the first included): 3 to 6 minutes of waiting with the delays above.
    public var attemptsMaximum = 12

    public init() {}

    /// Runs `attempt` until it succeeds, fails for a reason other than `.unreachable`, or
    /// `attemptsMaximum` attempts were made (the last error is thrown); `sleep` waits between them.
    public func run(logger: Logger, seed: UInt64, sleep: (Duration) -> Void = EnrollmentRetry.sleep,
                    _ attempt: () throws(EnrollmentError) -> Void) throws(EnrollmentError) {
        precondition(attemptsMaximum >= 1, "an enrollment needs an attempt")
        var backoff = Backoff(initial: delayInitial, maximum: delayMaximum, seed: seed)
        for made in 1... {
            do {
                return try attempt()
            } catch let error {
                guard case .unreachable = error, made < attemptsMaximum else { throw error }
                let delay = backoff.nextDelay()
                logger.warning("enrollment: no coordinator answered; trying again", [
                    "error": "\(error)", "attempt": "\(made)", "attemptsMaximum": "\(attemptsMaximum)", "retryDelay": "\(delay)"])
                sleep(delay)
            }
        }
        preconditionFailure("the attempts above end by returning or throwing")
    }

    /// Sleeps the calling thread for `duration` (resumed after an interrupting signal's handler).
    public static func sleep(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        var request = timespec(tv_sec: Int(seconds), tv_nsec: Int(attoseconds / 1_000_000_000))
        var remaining = timespec()
        while nanosleep(&request, &remaining) != 0, errno == EINTR { request = remaining }
    }
}
