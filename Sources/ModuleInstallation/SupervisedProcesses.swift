import FileSystem
import Glibc
import Locking
import ModuleSupervision
import Primitives
import Transport

/// The process side of installs (`ModuleProcessControl`) on real processes: one
/// `ModuleSupervisor` per running version of each module under `modulesDirectory`, each started
/// on the port the install core asks for (a `ModuleLaunch` of the version directory and its
/// manifest), its output in `modules/NAME/logs/`, and its pid and start time recorded in
/// `modules/NAME/processes` (`RecordedProcesses`). `start` adopts a recorded process of the same
/// version and port that is still alive rather than start a second one, so an agent restarted
/// after a crash takes its modules back; `resume` does that for the committed version once the
/// installer has recovered, and ends the recorded processes of every other version.
/// `shutdown` leaves every module running (Docs/MODULES.md, "Processes of a module"); `stopAll`
/// stops them. Thread-safe; each call blocks (a probe up to `ProcessSettings.healthDeadline`), so
/// call it from an installer's thread, never from an event loop.
public final class SupervisedProcesses: ModuleProcessControl, Sendable {
    public static let logsName = "logs"

    struct Key: Hashable, Sendable {
        let module: String
        let version: String
    }

    public let modulesDirectory: String
    public let settings: ProcessSettings
    let running = Locked<[Key: ModuleSupervisor]>([:])
    /// Held for every read-modify-write of a processes file.
    let files = Locked(())
    let recorder: Recorder

    /// Starts the thread that keeps the processes files up to date; starts no module.
    public init(modulesDirectory: String, settings: ProcessSettings = ProcessSettings()) throws(InstallationError) {
        if let refusal = settings.refusal() { throw .invalidSetting(refusal) }
        self.modulesDirectory = modulesDirectory
        self.settings = settings
        recorder = try Recorder()
        // The thread holds what it records, not `self`, so the last release never joins it from itself.
        let running = running, files = files, notes = recorder.notes
        recorder.begin(every: settings.recordInterval) {
            Self.recordRestarts(running: running, files: files, modulesDirectory: modulesDirectory, notes: notes)
        }
    }

    public func start(module: String, version: String, directory: String, port: Int?) throws(ProcessControlFailure) {
        guard !recorder.isShutDown else { throw ProcessControlFailure("the process control is shut down") }
        let key = Key(module: module, version: version)
        if let current = running.withLock({ $0[key] }) {
            if current.launch.port.map(Int.init) == port && Self.isAlive(current.status.state) { return }
            try stop(module: module, version: version)
        }
        let layout = try Self.layout(modulesDirectory, module)
        let launch = try Self.launch(layout, version: version, directory: directory, port: port)
        let logs = try Self.logDirectory(layout)
        if let entry = try records(layout).entry(for: version) {
            if entry.port == port, let adopted = try Self.adopt(launch, entry, logs, settings.supervision) {
                running.withLock { $0[key] = adopted }
                return
            }
            try Self.terminate(entry, of: module, grace: settings.stopGrace)
            try update(layout) { $0.remove(version) }
        }
        let supervisor: ModuleSupervisor
        do {
            supervisor = try ModuleSupervisor(launch: launch, logDirectory: logs, policy: settings.supervision)
            try supervisor.start()
        } catch {
            throw ProcessControlFailure("\(module) \(version) did not start: \(error)")
        }
        running.withLock { $0[key] = supervisor }
        guard let process = supervisor.status.process else { return }
        try update(layout) { $0.record(.init(version: version, port: port, process: process)) }
    }

    /// Stops the version's supervised process group (bounded by `ProcessSettings.stopGrace`), or
    /// when this agent does not supervise it, ends the recorded one; then forgets its record.
    public func stop(module: String, version: String) throws(ProcessControlFailure) {
        let supervisor = running.withLock { $0.removeValue(forKey: Key(module: module, version: version)) }
        supervisor?.stop(grace: settings.stopGrace)
        let layout = try Self.layout(modulesDirectory, module)
        if supervisor == nil, let entry = try records(layout).entry(for: version) {
            try Self.terminate(entry, of: module, grace: settings.stopGrace)
        }
        try update(layout) { $0.remove(version) }
    }

    /// Ends a recorded process this agent does not supervise (`ModuleSupervisor.terminate`); one
    /// whose `/proc` entry cannot be read is a failure, never taken as gone.
    private static func terminate(_ entry: RecordedProcesses.Entry, of module: String, grace: Duration)
        throws(ProcessControlFailure) {
        do {
            _ = try ModuleSupervisor.terminate(recorded: entry.process, grace: grace)
        } catch {
            throw ProcessControlFailure("\(module) \(entry.version): its recorded \(entry.process) could not be ended: \(error)")
        }
    }

    /// Waits until `ProcessSettings.successesNeeded` probes in a row pass, within
    /// `healthDeadline`; a version without a health probe must keep running for `probeInterval`.
    public func probe(module: String, version: String, directory: String, port: Int?) throws(ProcessControlFailure) {
        guard let supervisor = running.withLock({ $0[Key(module: module, version: version)] }) else {
            throw ProcessControlFailure("\(module) \(version) is not running under this agent")
        }
        guard supervisor.probe != nil else {
            let runs = supervisor.status.runs
            _ = poll(nil, 0, Int32(clamping: settings.probeInterval.wholeMilliseconds))
            let status = supervisor.status
            guard status.state == .running && status.runs == runs else {
                throw ProcessControlFailure("\(module) \(version) did not keep running: \(Self.exitText(status))")
            }
            return
        }
        let deadline = MonotonicInstant.now().advanced(by: settings.healthDeadline)
        let verdict = supervisor.waitUntilHealthy(successesNeeded: settings.successesNeeded, interval: settings.probeInterval,
                                                  deadline: deadline)
        guard !verdict.isHealthy else { return }
        throw ProcessControlFailure("\(module) \(version) is not healthy: \(Self.text(verdict, supervisor.status))")
    }

    /// The supervisors of `module` now, by version (for status and tests).
    public func supervisors(of module: String) -> [String: ModuleSupervisor] {
        running.withLock { running in
            Dictionary(uniqueKeysWithValues: running.filter { $0.key.module == module }.map { ($0.key.version, $0.value) })
        }
    }

    static func isAlive(_ state: SupervisorStatus.State) -> Bool {
        switch state {
        case .running, .backingOff: true
        case .idle, .crashLooping, .stopped: false
        }
    }
}
