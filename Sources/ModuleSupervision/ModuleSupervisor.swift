import Glibc
import Locking
import Transport

/// Runs one version of a module and keeps it running: starts it in its own process group with a
/// clean environment and its output in a bounded log (`ModuleLog`), watches it from a thread it
/// owns, restarts it with a growing wait when it ends (and gives up, `crashLooping`, after
/// `SupervisionPolicy.quickFailuresMaximum` crashes in a row), and stops the whole group on
/// `stop`. Blocking and thread-safe: call it from an installer's worker thread, never from an
/// event loop. Releasing it without `stop` leaves the process running, as an agent killed with
/// SIGKILL would: `adopt` takes such a process over again (Docs/MODULES.md, "Running a module").
public final class ModuleSupervisor: Sendable {
    public let launch: ModuleLaunch
    public let log: ModuleLog
    /// The manifest's health probe, made for this launch's port; nil when it has none.
    public let probe: ModuleProbe?
    let core: SupervisorCore
    private let runner: ModuleRunner
    private let thread = Locked<NativeThread?>(nil)
    /// Set by the first `start`, `adopt` or `stop`: a supervisor runs at most one life.
    private let claimed = Locked(false)

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

    public var status: SupervisorStatus { core.status }
    public var policy: SupervisionPolicy { core.policy }

    /// Starts the process and the watcher; throws when the command is refused or cannot be
    /// spawned (nothing runs then), or when this supervisor has started before.
    public func start() throws(SupervisionError) {
        guard claim() else { throw .alreadyStarted }
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
        watch(process)
    }

    /// Takes over the recorded process when it is still alive, leads its process group and
    /// started when recorded (pid reuse is told by the start time); it then runs as if this
    /// supervisor had started it, and is restarted from this supervisor when it ends. Returns
    /// nil, having started nothing, when it is gone.
    public static func adopt(launch: ModuleLaunch, recorded: RecordedProcess, logDirectory: String,
                             policy: SupervisionPolicy = SupervisionPolicy()) throws(SupervisionError) -> ModuleSupervisor? {
        let supervisor = try ModuleSupervisor(launch: launch, logDirectory: logDirectory, policy: policy)
        guard supervisor.claim(), let process = WatchedProcess.open(recorded) else {
            supervisor.log.note("\(recorded) is gone: nothing to adopt")
            return nil
        }
        supervisor.log.note("adopted \(launch.name) \(launch.version) as \(recorded)")
        supervisor.core.record(.adopted(recorded)) { status in
            status.state = .running
            status.process = recorded
            status.adopted = true
            status.runs = 1
        }
        supervisor.watch(process)
        return supervisor
    }

    /// Ends a recorded process group that should not run (a version the persisted intent no
    /// longer wants): SIGTERM to the group, SIGKILL after `grace`, when the recorded process is
    /// alive, leads its group and started when recorded. False when it was already gone.
    @discardableResult
    public static func terminate(recorded: RecordedProcess, grace: Duration) -> Bool {
        guard let process = WatchedProcess.open(recorded) else { return false }
        _ = process.terminateGroup(grace: grace)
        process.closeDescriptor()
        return true
    }

    /// Ends the process and everything in its group (SIGTERM, then SIGKILL after `grace`),
    /// reaps it and joins the watcher thread: nothing this supervisor started outlives the call.
    /// Later calls return at once.
    public func stop(grace: Duration) {
        let first = claim()
        core.ask(.stop(grace: grace))
        let running = thread.withLock { thread in
            defer { thread = nil }
            return thread
        }
        running?.join()
        if first {
            core.record(.stopped) { $0.state = .stopped }
        }
    }

    /// Stops watching without stopping the process, as an agent that shuts down does (the module
    /// keeps serving; the next agent adopts it), and joins the watcher thread.
    public func letGo() {
        core.ask(.letGo)
        let watching = thread.withLock { thread in
            defer { thread = nil }
            return thread
        }
        watching?.join()
    }

    private func claim() -> Bool {
        claimed.withLock { claimed in
            defer { claimed = true }
            return !claimed
        }
    }

    private func watch(_ process: WatchedProcess) {
        let core = core
        let runner = runner
        let name = "hs-\(launch.name)"
        thread.withLock { thread in
            thread = NativeThread(name: name) {
                var watcher = Watcher(core: core, runner: runner, current: process)
                watcher.run()
            }
        }
    }
}
