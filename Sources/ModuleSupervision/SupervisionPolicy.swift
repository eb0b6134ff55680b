/// The supervisor's bounds: how restarts back off and when they stop, how large logs grow, how
/// often the watcher looks, how long one probe may take, how many events are kept.
public struct SupervisionPolicy: Equatable, Sendable {
    /// The wait before the first restart after a crash; doubled per crash in a row.
    public var restartDelay: Duration = .seconds(1)
    /// The longest wait between restarts.
    public var restartDelayCeiling: Duration = .seconds(30)
    /// A process that ran this long before it ended starts the count of crashes again.
    public var stableRun: Duration = .seconds(60)
    /// This many crashes in a row (each after a run shorter than `stableRun`, or a failed
    /// spawn) and the supervisor stops restarting: the state becomes `crashLooping`.
    public var quickFailuresMaximum = 5
    /// Each of the two log files' bound.
    public var logFileBytesMaximum = 1 << 20
    /// How often the watcher checks the log's size when nothing else wakes it.
    public var logCheckInterval: Duration = .milliseconds(250)
    /// One probe's bound, when the deadline is further away.
    public var probeTimeout: Duration = .seconds(2)
    /// Events kept in the status (the oldest are dropped, and counted).
    public var eventsMaximum = 64

    public init() {}
}
