import Primitives

/// Keeps `hotswap dev`'s fleet going once it is ready: a member that ends
/// on its own is marked dead (an event line says how and when) and started
/// again with its same command line after its `RestartBackoff` wait, or at
/// once when the user asks (`r`). A restart that cannot even spawn counts as
/// another crash. Used from the main thread only, like `DevFleet`.
final class DevSupervisor {
    /// A member that ended and is not running again yet.
    private struct Death {
        let how: String
        let localTime: String
        /// When it restarts on its own; nil: only on request.
        let restartAt: ContinuousClock.Instant?
    }

    private let fleet: DevFleet
    private let restartKey: Bool
    private var backoffs: [String: RestartBackoff]
    private var deaths: [String: Death] = [:]

    /// `restartDelay`: the first wait (zero: never on its own); `restartKey`: `r` is read.
    init(fleet: DevFleet, restartDelay: Duration, restartKey: Bool) {
        self.fleet = fleet
        self.restartKey = restartKey
        backoffs = Dictionary(uniqueKeysWithValues: fleet.members.map { ($0.name, RestartBackoff(delay: restartDelay)) })
    }

    /// Notices members that ended and restarts those due (every dead one when
    /// `restartNow`); returns the event lines, unstamped.
    func step(now: ContinuousClock.Instant, restartNow: Bool) -> [String] {
        var events: [String] = []
        for member in fleet.members {
            if let death = deaths[member.name] {
                guard restartNow || death.restartAt.map({ now >= $0 }) == true else { continue }
                do {
                    try member.restart()
                    deaths[member.name] = nil
                    events.append(DevEvent.restarted(member.name, pid: member.child.pid, logPath: member.logPath))
                } catch {
                    let wait = record(member.name, how: "could not be restarted: \(error)", ranFor: .zero, now: now)
                    events.append(DevEvent.restartFailed(member.name, reason: error.description, restartIn: wait,
                                                         restartKey: restartKey))
                }
            } else if let status = member.child.poll() {
                let wait = record(member.name, how: status.description, ranFor: now - member.child.startedAt, now: now)
                events.append(DevEvent.ended(member.name, pid: member.child.pid, how: status.description,
                                             crashesInARow: backoffs[member.name]?.crashesInARow ?? 1, restartIn: wait,
                                             restartKey: restartKey, logPath: member.logPath))
            }
        }
        return events
    }

    /// Every member's row for the table at `now`.
    func rows(now: ContinuousClock.Instant) -> [DevLiveView.Member] {
        fleet.members.map { member in
            guard let death = deaths[member.name] else {
                return DevLiveView.Member(name: member.name, role: member.role, state: .running(pid: member.child.pid))
            }
            let next = DevEvent.restartPlan(death.restartAt.map { max(.zero, $0 - now) }, restartKey: restartKey)
            return DevLiveView.Member(name: member.name, role: member.role,
                                      state: .dead(how: death.how, at: death.localTime, next: next))
        }
    }

    /// The names of the agents whose process runs.
    var runningAgents: Set<String> {
        Set(fleet.members.filter { $0.role == .agent && deaths[$0.name] == nil }.map(\.name))
    }

    /// The names of the coordinators whose process runs.
    var runningCoordinators: Set<String> {
        Set(fleet.members.filter { $0.role == .coordinator && deaths[$0.name] == nil }.map(\.name))
    }

    /// Marks `name` dead; its wait before the next restart.
    private func record(_ name: String, how: String, ranFor: Duration, now: ContinuousClock.Instant) -> Duration? {
        var backoff = backoffs[name] ?? RestartBackoff(delay: .zero)
        let wait = backoff.ended(after: ranFor)
        backoffs[name] = backoff
        deaths[name] = Death(how: how, localTime: DevEvent.localTime(), restartAt: wait.map { now + $0 })
        return wait
    }
}
