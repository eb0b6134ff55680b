import CommandLineSupport

/// What `hotswap deployment watch` does after one read of the deployment (Docs/CLI.md, "hotswap
/// deployment watch"). Pure. Only what may pass by itself is retried: no coordinator reached, no
/// answer in time, a connection cut, 429, 502, 503 and 504. Once the cluster has answered, those
/// are retried for `contactLostAfter` since the last answer, then the watch lost contact (exit 4);
/// before any answer, for `firstContactWithin` (`--timeout`) only, then the watch could not watch
/// (exit 5). Anything else ends it at once: a refused caller with 3, every other error (a
/// certificate or CA that does not fit, a host that cannot be, 400, 404, 500) with 5, never 1,
/// which is the deployment's own failure.
public struct WatchRule: Sendable, Equatable {
    /// The watch lost contact with the cluster after it had answered: the deployment's end is unknown.
    public static let lostContactStatus: Int32 = 4
    /// The watch could not read the deployment (its setup, its request or the answer is wrong).
    public static let cannotWatchStatus: Int32 = 5
    /// The statuses that a busy, restarting or electing cluster answers.
    public static let retriedStatuses: Set<Int> = [429, 502, 503, 504]

    public var contactLostAfter: Duration
    public var firstContactWithin: Duration

    public init(contactLostAfter: Duration, firstContactWithin: Duration) {
        self.contactLostAfter = contactLostAfter
        self.firstContactWithin = firstContactWithin
    }

    /// How one read ended: an answer with its status, or no answer (`retryable`: the failure can
    /// pass by itself; `accessDenied`: the caller was refused).
    public enum Outcome: Sendable, Equatable {
        case answered(status: Int)
        case failed(retryable: Bool, accessDenied: Bool)
    }

    public enum Decision: Sendable, Equatable {
        /// A 200: read the deployment from it.
        case read
        /// Try again after the backoff.
        case retry
        /// End the watch with this exit status.
        case end(status: Int32)
    }

    /// `waited`: since the last answer, or since the watch began when `contacted` is false.
    public func decide(_ outcome: Outcome, contacted: Bool, waited: Duration) -> Decision {
        let retryable: Bool
        switch outcome {
        case .answered(status: 200):
            return .read
        case let .answered(status):
            retryable = Self.retriedStatuses.contains(status)
        case .failed(_, accessDenied: true):
            return .end(status: CommandLineProgram.accessDeniedStatus)
        case let .failed(canPass, accessDenied: false):
            retryable = canPass
        }
        guard retryable else { return .end(status: Self.cannotWatchStatus) }
        if contacted { return waited < contactLostAfter ? .retry : .end(status: Self.lostContactStatus) }
        return waited < firstContactWithin ? .retry : .end(status: Self.cannotWatchStatus)
    }
}
