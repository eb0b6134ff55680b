import ModuleArchive

/// The bounds of an agent's artifact fetches (AGENT.md, "Installing modules"): how long the
/// leader may take to begin a transfer and between chunks, how often a failed fetch is tried
/// again and after what wait, how many unfinished files are kept, the largest artifact, and how
/// many bytes may wait for the disk.
public struct ArtifactFetchSettings: Equatable, Sendable {
    /// From a request to its transfer's begin (the leader may first read the whole artifact): 120 s.
    public var beginTimeout: Duration = .seconds(120)
    /// From one frame of a begun transfer to the next: 30 s.
    public var stallTimeout: Duration = .seconds(30)
    /// Requests per order before it is answered `accepted: false` (4).
    public var attemptsMaximum = 4
    /// The wait after the first failed attempt, doubled after each (1 s).
    public var retryDelay: Duration = .seconds(1)
    /// Unfinished (`partial/`) and finished artifact files kept at most, the oldest removed first (3).
    public var filesMaximum = 3
    /// The largest artifact fetched: the module store's bound on one (512 MiB).
    public var artifactBytesMaximum: UInt64 = UInt64(ModuleStoreLimits().artifactBytesMaximum)
    /// Bytes of frames waiting for the disk before the fetch fails (16 MiB).
    public var waitingBytesMaximum = 16 << 20

    public init() {}
}

/// How an agent runs module orders: its fetches, its order queue, how long a stop waits for the
/// order running, how many versions it keeps, and the process side's waits.
public struct ModuleOrderSettings: Equatable, Sendable {
    public var fetch = ArtifactFetchSettings()
    /// Orders waiting behind the running one; one more is answered `accepted: false` (16).
    public var queueMaximum = 16
    /// How long a stop waits for the running order to end before it leaves it to the next
    /// start's recovery (20 s: the rest of the shutdown fits in the 30 s a service manager
    /// commonly grants before SIGKILL, Kubernetes' default grace period among them).
    public var drainTimeout: Duration = .seconds(20)

    public init() {}
}
