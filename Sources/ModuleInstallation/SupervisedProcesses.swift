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

    /// The lock file in `modules/` that one control holds while it lives.
    public static let lockName = ".processes.lock"

    public let modulesDirectory: String
    public let settings: ProcessSettings
    let running = Locked<[Key: ModuleSupervisor]>([:])
    /// Held for every read-modify-write of a processes file; counts them. (Not a `Locked<Void>`:
    /// ThreadSanitizer reported an access race on a zero-sized guarded value.)
    let files = Locked<UInt64>(0)
    /// One lock per module, held across a whole start, stop or resume of it; counts them.
    let operations = Locked<[String: Locked<UInt64>]>([:])
    /// The calls in flight; closed by `shutdown`, read under `running` before a supervisor is added.
    let gate = OperationGate()
    /// Scans of `/proc` for unrecorded processes (`InstanceScan`) made so far: at most one per call.
    let scans = Locked<UInt64>(0)
    let recorder: Recorder
    let lock: FileLock

    /// Takes `modules/.processes.lock` (a second control on the directory, in this process or
    /// another, is refused with `.file(.locked)`) and starts the thread that keeps the processes
    /// files up to date; starts no module.
    public init(modulesDirectory: String, settings: ProcessSettings = ProcessSettings()) throws(InstallationError) {
        if let refusal = settings.refusal() { throw .invalidSetting(refusal) }
        do { lock = try FileLock.acquire("\(modulesDirectory)/\(Self.lockName)") } catch { throw .file(error) }
        self.modulesDirectory = modulesDirectory
        self.settings = settings
        recorder = try Recorder()
        // The thread holds what it records, not `self`, so the last release never joins it from itself.
        let running = running, files = files, notes = recorder.notes
        recorder.begin(every: settings.recordInterval) {
            Self.recordRestarts(running: running, files: files, modulesDirectory: modulesDirectory, notes: notes)
        }
    }

    /// Whether `shutdown` was called; every later call but the accessors fails.
    public var isShutDown: Bool { gate.isClosed }

    /// Starts (or adopts) the version: see the type's documentation. Before the spawn it
    /// checks the port is free and writes a pending entry with a random instance id that the
    /// process carries as `HOTSWAP_INSTANCE`, so a crash between the spawn and the pid's record
    /// leaves a process the next control finds; a processes file already at its bound refuses the start.
    @discardableResult
    public func start(module: String, version: String, directory: String, port: Int?) throws(ProcessControlFailure) -> ProcessStart {
        try serialized(module) { () throws(ProcessControlFailure) in
            try startHeld(module: module, version: version, directory: directory, port: port)
        }
    }

    @discardableResult
    func startHeld(module: String, version: String, directory: String, port: Int?) throws(ProcessControlFailure) -> ProcessStart {
        try checkOpen()
        let key = Key(module: module, version: version)
        if let current = running.withLock({ $0[key] }) {
            if current.launch.port.map(Int.init) == port && Self.isAlive(current.status.state) { return .running }
            try stopHeld(module: module, version: version)
        }
        let layout = try Self.layout(modulesDirectory, module, portOffset: settings.portOffset)
        let logs = try Self.logDirectory(layout)
        var recorded = try records(layout)
        var note: String?
        if let entry = recorded.entry(for: version) {
            var found: [RecordedProcess]?
            if entry.port == port {
                let launch = try Self.launch(layout, version: version, directory: directory, port: port, instance: entry.instance)
                switch try takeOver(entry, launch, layout, logs) {
                case let .adopted(supervisor):
                    try keep(supervisor, as: key)
                    return .adopted
                case let .notAdopted(scanned, why):
                    found = scanned
                    note = why
                }
            }
            let targets: [RecordedProcess]
            if let found { targets = found } else { targets = try unrecorded(entry, layout) }
            try Self.end(entry, of: module, found: targets, grace: settings.stopGrace)
            try update(layout) { $0.remove(version) }
            recorded.remove(version)
        }
        try spawn(key, layout: layout, logs: logs, directory: directory, port: port, recorded: recorded, note: note)
        return .spawned
    }

    /// Spawns the version under a new supervisor, recorded pending before and with its pid after;
    /// `note` goes to its log first.
    private func spawn(_ key: Key, layout: ModuleLayout, logs: String, directory: String, port: Int?, recorded: RecordedProcesses,
                       note: String?) throws(ProcessControlFailure) {
        let (module, version) = (key.module, key.version)
        guard !recorded.isFull(adding: version) else {
            throw ProcessControlFailure("\(module) \(version) did not start: \(RecordedProcesses.entriesMaximum) versions are "
                + "recorded already (\(recorded.entries.map(\.version).joined(separator: ", "))); stop one first")
        }
        try Self.checkFree(port, module: module, version: version)
        let instance = Self.newInstance()
        let launch = try Self.launch(layout, version: version, directory: directory, port: port, instance: instance)
        try update(layout) { $0.record(.init(version: version, port: port, process: RecordedProcesses.pendingProcess, instance: instance)) }
        let supervisor: ModuleSupervisor
        do {
            supervisor = try ModuleSupervisor(launch: launch, logDirectory: logs, policy: settings.supervision)
            if let note { supervisor.note(note) }
            try supervisor.start()
        } catch {
            try update(layout) { $0.remove(version) }
            throw ProcessControlFailure("\(module) \(version) did not start: \(error)")
        }
        try keep(supervisor, as: key)
        guard let process = supervisor.status.process else { return }
        try update(layout) { $0.record(.init(version: version, port: port, process: process, instance: instance)) }
    }

    /// Stops the version's supervised process group (bounded by `ProcessSettings.stopGrace`), or
    /// when this agent does not supervise it, ends the recorded one and any process carrying the
    /// entry's instance id (a pending entry, or a restart not recorded yet); then forgets its record.
    public func stop(module: String, version: String) throws(ProcessControlFailure) {
        try serialized(module) { () throws(ProcessControlFailure) in try stopHeld(module: module, version: version) }
    }

    func stopHeld(module: String, version: String) throws(ProcessControlFailure) {
        try checkOpen()
        let supervisor = running.withLock { $0.removeValue(forKey: Key(module: module, version: version)) }
        supervisor?.stop(grace: settings.stopGrace)
        let layout = try Self.layout(modulesDirectory, module)
        if let entry = try records(layout).entry(for: version) {
            // The supervisor ended its own process; a process the scan still finds is one it never knew.
            try Self.end(entry, of: module, found: try unrecorded(entry, layout), grace: settings.stopGrace, recordedToo: supervisor == nil)
        }
        try update(layout) { $0.remove(version) }
    }

    /// Adds a supervisor this control started or adopted, unless `shutdown` came meanwhile: then
    /// lets go of it (the process keeps running, recorded for the next control) and fails.
    func keep(_ supervisor: ModuleSupervisor, as key: Key) throws(ProcessControlFailure) {
        let kept = running.withLock { running in
            guard !gate.isClosed else { return false }
            running[key] = supervisor
            return true
        }
        guard !kept else { return }
        supervisor.letGo()
        throw ProcessControlFailure("the process control was shut down while \(key.module) \(key.version) started", isShutDown: true)
    }

    func checkOpen() throws(ProcessControlFailure) {
        guard !isShutDown else { throw .shutDown }
    }

    /// Runs a public call counted in flight (`OperationGate`), or fails at once once shut down; the
    /// last call to leave after a `shutdown` that stopped waiting for it releases the directory lock.
    func admitted<Value>(_ body: () throws(ProcessControlFailure) -> Value) throws(ProcessControlFailure) -> Value {
        guard gate.enter() else { throw .shutDown }
        defer { if gate.leave() { lock.release() } }
        return try body()
    }

    /// Runs `body` as a call in flight, holding the module's operation lock.
    func serialized<Value>(_ module: String, _ body: () throws(ProcessControlFailure) -> Value) throws(ProcessControlFailure) -> Value {
        try admitted { () throws(ProcessControlFailure) in
            let lock = operations.withLock { locks in
                if let lock = locks[module] { return lock }
                let lock = Locked<UInt64>(0)
                locks[module] = lock
                return lock
            }
            let result = lock.withLock { count in
                count &+= 1
                return Result { () throws(ProcessControlFailure) in try body() }
            }
            return try result.get()
        }
    }

    /// Waits until `ProcessSettings.successesNeeded` probes in a row pass, within
    /// `healthDeadline`; a version without a health probe must keep running for `probeInterval`.
    /// A `shutdown` meanwhile ends the wait (`ProcessControlFailure.isShutDown`).
    public func probe(module: String, version: String, directory: String, port: Int?) throws(ProcessControlFailure) {
        try admitted { () throws(ProcessControlFailure) in
            try checkOpen()
            guard let supervisor = running.withLock({ $0[Key(module: module, version: version)] }) else {
                throw ProcessControlFailure("\(module) \(version) is not running under this agent")
            }
            guard supervisor.probe != nil else {
                let runs = supervisor.status.runs
                _ = poll(nil, 0, Int32(clamping: settings.probeInterval.wholeMilliseconds))
                try checkOpen()
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
            // Let go of by `shutdown`, the supervisor ends the wait: that is no verdict on the version.
            try checkOpen()
            throw ProcessControlFailure("\(module) \(version) is not healthy: \(Self.text(verdict, supervisor.status))")
        }
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
