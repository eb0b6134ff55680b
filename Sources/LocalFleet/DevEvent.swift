import Glibc

/// The event lines `hotswap dev` prints above its table once the fleet is
/// ready — a member ended, was restarted, a new leader, agents re-attached —
/// each stamped with the local time (`[12:03:04] ...`). Pure text; the
/// watch loop stamps and prints them.
enum DevEvent {
    /// `member` (`pid`) ended with `status`; when it restarts (`restartIn`, nil: not on its own).
    static func ended(_ name: String, pid: Int32, how: String, crashesInARow: Int, restartIn: Duration?,
                      restartKey: Bool, logPath: String) -> String {
        let again = crashesInARow > 1 ? " (crash \(crashesInARow) in a row)" : ""
        return "\(name) (pid \(pid)) \(how)\(again); \(restartPlan(restartIn, restartKey: restartKey)); log \(logPath)"
    }

    /// A restart that could not even start the process.
    static func restartFailed(_ name: String, reason: String, restartIn: Duration?, restartKey: Bool) -> String {
        "\(name) could not be restarted: \(reason); \(restartPlan(restartIn, restartKey: restartKey))"
    }

    /// Parsed like the `started NAME  pid N` lines of start-up.
    static func restarted(_ name: String, pid: Int32, logPath: String) -> String {
        "restarted \(name)  pid \(pid)  log \(logPath)"
    }

    static func newLeader(_ leader: String, term: UInt64, was previous: String) -> String {
        "leader \(leader) (term \(term)), was \(previous)"
    }

    static func reattached(agentCount: Int, leader: String) -> String {
        "\(agentCount == 1 ? "the agent reports" : "all \(agentCount) running agents report") to \(leader) again"
    }

    /// What happens next to a dead member.
    static func restartPlan(_ restartIn: Duration?, restartKey: Bool) -> String {
        let key = restartKey ? " (press r to restart now)" : ""
        if let restartIn { return "restarting it in \(wholeSeconds(restartIn))s\(key)" }
        return restartKey ? "not restarting it on its own (--restart-delay 0s); press r to restart it"
                          : "not restarting it (--restart-delay 0s)"
    }

    /// `duration` rounded up to whole seconds (a countdown never shows 0 while time is left).
    static func wholeSeconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return max(0, seconds + (attoseconds > 0 ? 1 : 0))
    }

    /// `[HH:MM:SS] line` in the local time zone.
    static func stamped(_ line: String) -> String {
        "[\(localTime())] \(line)"
    }

    /// `HH:MM:SS` of `time` (unix seconds; default now) in the local time zone.
    static func localTime(_ time: Int = Glibc.time(nil)) -> String {
        var seconds = time
        var parts = tm()
        localtime_r(&seconds, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))"
    }
}

/// Follows the leader named in the node listings of `hotswap dev`'s watch:
/// says when it changes, then when every running agent reports to the new
/// one (until then the table shows them `re-attaching`).
struct LeaderWatch {
    private(set) var leader: String
    private var reattaching = false

    init(leader: String) {
        self.leader = leader
    }

    /// The events `listing` gives rise to; `runningAgents` are the agents whose process runs.
    mutating func observe(_ listing: NodeListing, runningAgents: Set<String>) -> [String] {
        var events: [String] = []
        if listing.leader != leader {
            events.append(DevEvent.newLeader(listing.leader, term: listing.term, was: leader))
            leader = listing.leader
            reattaching = !runningAgents.isEmpty
        }
        if reattaching {
            let reporting = Set(listing.nodes.filter { $0.lastReport != nil }.map(\.id))
            if runningAgents.isSubset(of: reporting) {
                events.append(DevEvent.reattached(agentCount: runningAgents.count, leader: leader))
                reattaching = false
            }
        }
        return events
    }
}
