import Glibc
import Primitives
import Transport

/// The loop of a supervisor's own thread. It sleeps in `poll` on the process's pidfd and the
/// wake eventfd, at most a log-check interval (or until a restart is due); each time it wakes it
/// rotates the log, then acts on a stop or let-go request, on the process's end (reap, log,
/// back off or give up), or on a restart that has come due.
struct Watcher {
    let core: SupervisorCore
    let runner: ModuleRunner
    var current: WatchedProcess?
    var backoff: RestartBackoff
    var restartDue: MonotonicInstant?

    init(core: SupervisorCore, runner: ModuleRunner, current: WatchedProcess) {
        self.core = core
        self.runner = runner
        self.current = current
        let policy = core.policy
        backoff = RestartBackoff(delay: policy.restartDelay, ceiling: policy.restartDelayCeiling, stableRun: policy.stableRun)
    }

    mutating func run() {
        while true {
            waitForSomething()
            core.drainWake()
            runner.log.rotateIfNeeded()
            switch core.request {
            case let .stop(grace):
                stopProcess(grace: grace)
                return
            case .letGo:
                letGo()
                return
            case .run:
                break
            }
            if let process = current, process.hasEnded() { ended(process) }
            if current == nil, let due = restartDue, MonotonicInstant.now() >= due { restart() }
        }
    }

    private func waitForSomething() {
        var timeout = core.policy.logCheckInterval
        if let due = restartDue {
            let now = MonotonicInstant.now()
            timeout = min(timeout, now < due ? now.duration(until: due) : .zero)
        }
        let milliseconds = Int32(clamping: (timeout.wholeNanoseconds + 999_999) / 1_000_000)
        var descriptors = [pollfd(fd: current?.descriptor ?? -1, events: Int16(POLLIN), revents: 0),
                           pollfd(fd: core.wakeDescriptor, events: Int16(POLLIN), revents: 0)]
        _ = poll(&descriptors, 2, milliseconds)
    }

    /// Reaps the process first when it is a child that has already ended (else it would stay a
    /// zombie until this process exits); a running one is left running.
    private func letGo() {
        guard let process = current else { return }
        if process.isChild, process.hasEnded() {
            _ = process.killLeftovers()
            runner.log.note("released after pid \(process.pid) ended: \(process.reap()?.description ?? "not reaped")")
        }
        process.closeDescriptor()
    }

    /// The process has ended: what is left of its group is killed before the leader is reaped (a
    /// server started by a shell would otherwise hold the port against the restart).
    private mutating func ended(_ process: WatchedProcess) {
        let leftovers = process.killLeftovers()
        if leftovers > 0 {
            runner.log.note("\(leftovers) process(es) of group \(process.pid) outlived its leader: SIGKILL to the group")
        }
        let status = process.reap()
        process.closeDescriptor()
        current = nil
        let ranFor = process.startedAt.duration(until: .now())
        let exit = ExitRecord(process: process.recorded, status: status, ranFor: ranFor)
        runner.log.note("\(exit)")
        core.record(.exited(exit)) { $0.lastExit = exit }
        scheduleRestart(after: ranFor)
    }

    /// Backs off after a crash (`ranFor` zero for a spawn that failed), or gives up.
    private mutating func scheduleRestart(after ranFor: Duration) {
        let wait = backoff.ended(after: ranFor)
        let crashes = backoff.crashesInARow
        guard let wait, crashes < core.policy.quickFailuresMaximum else {
            let why = wait == nil ? "restartDelay is 0, which means never restart" : "\(crashes) crashes in a row (crash loop)"
            runner.log.note("not restarting \(runner.launch.name) \(runner.launch.version): \(why)")
            core.record(.crashLooping(crashesInARow: crashes)) { status in
                status.state = .crashLooping
                status.process = nil
                status.crashesInARow = crashes
            }
            restartDue = nil
            return
        }
        runner.log.note("restarting in \(wait) (crash \(crashes) in a row)")
        core.record(.restartScheduled(after: wait)) { status in
            status.state = .backingOff(wait)
            status.process = nil
            status.crashesInARow = crashes
        }
        restartDue = MonotonicInstant.now().advanced(by: wait)
    }

    private mutating func restart() {
        restartDue = nil
        do {
            let process = try runner.spawn()
            current = process
            core.record(.started(process.recorded)) { status in
                status.state = .running
                status.process = process.recorded
                status.adopted = false
                status.runs += 1
                status.restarts += 1
            }
        } catch {
            runner.log.note("restart failed: \(error)")
            core.record(.spawnFailed(error.description))
            scheduleRestart(after: .zero)
        }
    }

    private mutating func stopProcess(grace: Duration) {
        if let process = current {
            runner.log.note("stopping \(process.recorded): SIGTERM to its group, SIGKILL after \(grace)")
            let status = process.terminateGroup(grace: grace)
            process.closeDescriptor()
            let exit = ExitRecord(process: process.recorded, status: status, ranFor: process.startedAt.duration(until: .now()))
            runner.log.note("stopped: \(exit)")
            core.record(.exited(exit)) { $0.lastExit = exit }
            current = nil
        }
        runner.log.rotateIfNeeded()
        core.record(.stopped) { status in
            status.state = .stopped
            status.process = nil
        }
    }
}
