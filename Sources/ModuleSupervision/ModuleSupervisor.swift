import Glibc
import Locking
import Transport

/// Runs one version of a module and keeps it running: starts it in its own process group with a
/// clean environment and its output in a bounded log (`ModuleLog`), watches it from a thread it
/// owns, restarts it with a growing wait when it ends (and gives up, `crashLooping`, after
/// `SupervisionPolicy.quickFailuresMaximum` crashes in a row), and stops the whole group on
/// `stop`. Blocking and thread-safe: call it from an installer's worker thread, never from an
/// event loop. Releasing it without `stop` leaves the process running, as an agent killed with
/// SIGKILL would (unwatched: nobody rotates its log until `adopt` takes it over again;
/// Docs/MODULES.md, "Running a module").
public final class ModuleSupervisor: Sendable {
    public let launch: ModuleLaunch
    public let log: ModuleLog
    /// The manifest's health probe, made for this launch's port; nil when it has none.
    public let probe: ModuleProbe?
    let core: SupervisorCore
    private let runner: ModuleRunner
    /// Where the supervisor is in its one life. Held across a whole `start` (spawn and watcher),
    /// so a `stop` called meanwhile waits for it and then stops what it started.
    private let phase = Locked(Phase.idle)

    private enum Phase {
        case idle
        case watching(NativeThread)
        case done
    }

    /// Opens the log (`ModuleLog.path(directory:name:version:)` under `logDirectory`, which
    /// must exist) and resolves the health probe; starts nothing.
    public init(launch: ModuleLaunch, logDirectory: String, policy: SupervisionPolicy = SupervisionPolicy()) throws(SupervisionError) {
        self.launch = launch
        probe = try ModuleProbe(launch: launch)
        log = try ModuleLog(path: ModuleLog.path(directory: logDirectory, name: launch.name, version: launch.version),
                            fileBytesMaximum: policy.logFileBytesMaximum)
        core = try SupervisorCore(policy: policy)
        runner = ModuleRunner(launch: launch, log: log)
    }

    deinit {
        letGo()
    }

    public var status: SupervisorStatus {
        var status = core.status
        status.logNotesDropped = log.notesDropped
        return status
    }

    /// Appends a line to the module's log, as the supervisor's own lines are (say, why the process
    /// it starts was not adopted).
    public func note(_ text: String) {
        log.note(text)
    }
    public var policy: SupervisionPolicy { core.policy }

    /// Starts the process and the watcher; throws when the command is refused or cannot be
    /// spawned (nothing runs then), or when this supervisor has started (or stopped) before.
    public func start() throws(SupervisionError) {
        try phase.withLock { phase in Result { () throws(SupervisionError) in try start(&phase) } }.get()
    }

    private func start(_ phase: inout Phase) throws(SupervisionError) {
        guard case .idle = phase else { throw .alreadyStarted }
        phase = .done
        let process: WatchedProcess
        do {
            process = try runner.spawn()
        } catch {
            core.record(.spawnFailed(error.description)) { $0.state = .stopped }
            throw error
        }
        core.record(.started(process.recorded)) { status in
            status.state = .running
            status.process = process.recorded
            status.runs = 1
        }
        phase = .watching(watch(process))
    }

    /// Takes over the recorded process when it is still alive, leads its process group, runs in
    /// this boot and started when recorded (pid reuse is told by the start time); it then runs as
    /// if this supervisor had started it, and is restarted from this supervisor when it ends.
    /// Returns nil, having started nothing, when it is gone; throws (and logs) when `/proc`
    /// cannot be read.
    public static func adopt(launch: ModuleLaunch, recorded: RecordedProcess, logDirectory: String,
                             policy: SupervisionPolicy = SupervisionPolicy()) throws(SupervisionError) -> ModuleSupervisor? {
        let supervisor = try ModuleSupervisor(launch: launch, logDirectory: logDirectory, policy: policy)
        let adopted = supervisor.phase.withLock { phase in
            Result { () throws(SupervisionError) in try supervisor.adopt(recorded, &phase) }
        }
        return try adopted.get() ? supervisor : nil
    }

    private func adopt(_ recorded: RecordedProcess, _ phase: inout Phase) throws(SupervisionError) -> Bool {
        phase = .done
        let found: WatchedProcess?
        do {
            found = try WatchedProcess.open(recorded)
        } catch {
            log.note("cannot adopt \(recorded): \(error)")
            throw error
        }
        guard let process = found else {
            log.note("\(recorded) is gone: nothing to adopt")
            return false
        }
        log.note("adopted \(launch.name) \(launch.version) as \(recorded)")
        log.checkIsOutput(of: recorded.pid)
        core.record(.adopted(recorded)) { status in
            status.state = .running
            status.process = recorded
            status.adopted = true
            status.runs = 1
        }
        phase = .watching(watch(process))
        return true
    }

    /// Ends a recorded process group that should not run (a version the persisted intent no
    /// longer wants) as `stop` does, when the recorded process is alive, leads its group, runs in
    /// this boot and started when recorded. False when it was already gone; throws when `/proc`
    /// cannot be read.
    @discardableResult
    public static func terminate(recorded: RecordedProcess, grace: Duration) throws(SupervisionError) -> Bool {
        guard let process = try WatchedProcess.open(recorded) else { return false }
        _ = process.terminateGroup(grace: grace)
        process.closeDescriptor()
        return true
    }

    /// Ends the process and its group: SIGTERM (and SIGCONT) to the group, up to `grace` for the
    /// process and every member of its group to end, SIGKILL to whatever is left, then the reap;
    /// joins the watcher thread. A `start` in progress is waited for, then stopped. What this
    /// does not reach: a process that left the group (`setsid`, `setpgid`) is not tracked and
    /// outlives the stop (a cgroup per module is the follow-up that would hold it); a command
    /// probe running on another thread is interrupted by the stop and kills its own group as it
    /// returns, which this call does not wait for. Later calls return at once.
    public func stop(grace: Duration) {
        let (running, neverStarted) = phase.withLock { phase -> (NativeThread?, Bool) in
            defer { phase = .done }
            switch phase {
            case .idle: return (nil, true)
            case let .watching(thread): return (thread, false)
            case .done: return (nil, false)
            }
        }
        core.ask(.stop(grace: grace))
        running?.join()
        if neverStarted {
            core.record(.stopped) { $0.state = .stopped }
        }
    }

    /// Stops watching without stopping the process, as an agent that shuts down does (the module
    /// keeps serving; the next agent adopts it; one that has already ended is reaped), and joins
    /// the watcher thread. A probe or a wait for health in flight ends at once (`stopped`). Later
    /// calls return at once.
    public func letGo() {
        let watching = phase.withLock { phase -> NativeThread? in
            guard case let .watching(thread) = phase else { return nil }
            phase = .done
            return thread
        }
        core.ask(.letGo)
        watching?.join()
    }

    private func watch(_ process: WatchedProcess) -> NativeThread {
        let core = core
        let runner = runner
        return NativeThread(name: "hs-\(launch.name)") {
            var watcher = Watcher(core: core, runner: runner, current: process)
            watcher.run()
        }
    }
}
