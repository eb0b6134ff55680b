/// When a supervised process that ended on its own is started again: `delay` after the first
/// crash, doubled for each further crash in a row up to `ceiling` (so a process that cannot start
/// is retried ever more slowly, never in a tight loop). One that ran for `stableRun` before it
/// ended counts as crashing for the first time again. A `delay` of zero means never restart on
/// its own. Pure: durations in, durations out. `hotswap dev` restarts its members by it, the
/// module supervisor its modules.
public struct RestartBackoff: Equatable, Sendable {
    /// The default `stableRun`: a process that ran this long before it ended starts the count again.
    public static let stableRun: Duration = .seconds(60)
    /// The default ceiling, unless `delay` itself is longer.
    public static let ceilingMinimum: Duration = .seconds(300)

    public let delay: Duration
    /// The longest wait between restarts.
    public let ceiling: Duration
    /// How long a process must run for its end to count as a first crash again.
    public let stableRunMinimum: Duration
    /// Crashes since the process last ran for `stableRunMinimum`, this one included.
    public private(set) var crashesInARow = 0

    /// `ceiling` nil means `max(delay, ceilingMinimum)`; a ceiling below `delay` is raised to it.
    public init(delay: Duration, ceiling: Duration? = nil, stableRun: Duration = RestartBackoff.stableRun) {
        self.delay = delay
        self.ceiling = max(delay, ceiling ?? Self.ceilingMinimum)
        stableRunMinimum = stableRun
    }

    /// Records that the process ended after running for `ranFor`; returns how long to wait
    /// before starting it again, or nil when it is never restarted on its own.
    public mutating func ended(after ranFor: Duration) -> Duration? {
        crashesInARow = ranFor >= stableRunMinimum ? 1 : crashesInARow + 1
        guard delay > .zero else { return nil }
        var wait = delay
        var doublings = crashesInARow - 1
        while doublings > 0, wait < ceiling {
            wait = min(wait * 2, ceiling)
            doublings -= 1
        }
        return wait
    }
}
