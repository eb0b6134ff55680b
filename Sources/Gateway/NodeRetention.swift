import Primitives

/// When the leader forgets a node it no longer hears from: a node with no
/// session whose last contact (hello, report, or the end of its session) is
/// `retention` or more in the past loses its window. Its replicated
/// inventory stays (an operator removes that); listings show it `down` with
/// no figures, which is what they showed before, as long as the retention
/// is at least `minimum(for:)`.
public enum NodeRetention {
    /// A day: a node down for longer is gone or being rebuilt, and its
    /// samples are older than anything a rollout gate reads.
    public static let retentionDefault: Duration = .seconds(86_400)

    public static func isExpired(lastContactAt: MonotonicInstant, now: MonotonicInstant, retention: Duration) -> Bool {
        now >= lastContactAt.advanced(by: retention)
    }

    /// The shortest retention under which evicting a window never changes the
    /// status a listing shows: a window is evicted only after the node has
    /// been silent this long, by when it is `down` with or without its window
    /// (a node with no report since this leader began leading ages from the
    /// end of the failover grace; see `LivenessPolicy`).
    public static func minimum(for liveness: LivenessPolicy) -> Duration {
        liveness.downAfter + liveness.failoverGrace
    }
}
