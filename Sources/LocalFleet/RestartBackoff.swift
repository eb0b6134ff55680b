/// When `hotswap dev` restarts a member that ended on its own: `delay` after
/// the first crash, doubled for each further crash in a row up to `ceiling`
/// (so a member that cannot start is retried ever more slowly, never in a
/// tight loop). A member that ran for `stableRun` before it ended counts as
/// crashing for the first time again. A `delay` of zero means dev never
/// restarts it on its own (a key press still does). Pure: durations in, durations out.
struct RestartBackoff: Equatable {
    /// A member that ran this long before it ended starts the count again.
    static let stableRun: Duration = .seconds(60)
    /// The longest wait between restarts, unless `delay` itself is longer.
    static let ceilingMinimum: Duration = .seconds(300)

    let delay: Duration
    /// Crashes since the member last ran for `stableRun`, this one included.
    private(set) var crashesInARow = 0

    init(delay: Duration) {
        self.delay = delay
    }

    var ceiling: Duration { max(delay, Self.ceilingMinimum) }

    /// Records that the member ended after running for `ranFor`; returns how
    /// long to wait before restarting it, or nil when only a key press restarts it.
    mutating func ended(after ranFor: Duration) -> Duration? {
        crashesInARow = ranFor >= Self.stableRun ? 1 : crashesInARow + 1
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
