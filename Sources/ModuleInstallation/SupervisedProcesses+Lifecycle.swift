import HostInstall
import ModuleSupervision
import Primitives

/// After a restart, at the end, and for uninstalls and tests: what runs beyond single steps.
extension SupervisedProcesses {
    /// Once the module's installer has recovered (its record has no operation in flight): ends
    /// every process of the module but the committed version's, recorded or supervised, then
    /// makes the committed version run on its port, adopting its recorded process when that is
    /// still alive (or the process carrying its instance id). Every stop is tried and the
    /// committed version started even when one failed; the first failure is then thrown. An
    /// agent calls it for each module at start.
    public func resume(layout: ModuleLayout, record: InstallRecord) throws(ProcessControlFailure) {
        guard record.intent == nil else {
            throw ProcessControlFailure("\(layout.module) has an operation in flight; its installer must recover first")
        }
        try serialized(layout.module) { () throws(ProcessControlFailure) -> Void in
            try checkOpen()
            let committed = record.committed?.version
            let supervised = running.withLock { $0.keys.filter { $0.module == layout.module }.map(\.version) }
            let recorded = try records(layout).entries.map(\.version)
            var first: ProcessControlFailure?
            for version in Set(supervised + recorded).sorted() where version != committed {
                do throws(ProcessControlFailure) { try stopHeld(module: layout.module, version: version) } catch {
                    first = first ?? error
                }
            }
            if let active = record.committed {
                do throws(ProcessControlFailure) {
                    try startHeld(module: layout.module, version: active.version, directory: layout.versionDirectory(active.version),
                                  port: active.port)
                } catch {
                    first = first ?? error
                }
            }
            if let first { throw first }
        }
    }

    /// Stops every version this agent supervises and every version recorded in the processes
    /// file of a module it supervises or that `modules/` holds, and forgets their records: for an
    /// uninstall and for tests, never at an agent's shutdown. Every one is tried; the first
    /// failure is thrown.
    public func stopAll() throws(ProcessControlFailure) {
        try admitted { () throws(ProcessControlFailure) in try stopEverything() }
    }

    private func stopEverything() throws(ProcessControlFailure) {
        var first: ProcessControlFailure?
        var modules = Set(running.withLock { $0.keys.map(\.module) })
        do { modules.formUnion(try InstalledModules(directory: modulesDirectory).names()) } catch {
            first = ProcessControlFailure(error.description)
        }
        for module in modules.sorted() {
            do {
                let layout = try Self.layout(modulesDirectory, module)
                let supervised = running.withLock { $0.keys.filter { $0.module == module }.map(\.version) }
                let recorded = try records(layout).entries.map(\.version)
                for version in Set(supervised + recorded).sorted() {
                    do { try stop(module: module, version: version) } catch { first = first ?? error }
                }
            } catch {
                first = first ?? error
            }
        }
        if let first { throw first }
    }

    /// The agent stops: lets go of every supervisor (joining their watcher threads) without
    /// stopping its process, so modules keep serving while the agent restarts and the next one
    /// adopts them (`resume`); a probe in flight ends at once (failing with `isShutDown`). Then it
    /// waits up to `ProcessSettings.shutdownWait` for the calls in flight (a stop finishing within
    /// its grace), records once more what the supervisors restarted, joins the recording thread
    /// and releases `modules/.processes.lock`, so the next control never works beside a call of
    /// this one. Calls still in flight after the wait are left to finish, and the last of them
    /// releases the lock. Later calls of `start`, `stop`, `probe`, `resume` and `stopAll` fail
    /// (`ProcessControlFailure.shutDown`); a second `shutdown` does nothing.
    public func shutdown() {
        guard gate.close() else { return }
        let supervisors = running.withLock { Array($0.values) }
        for supervisor in supervisors { supervisor.letGo() }
        let idle = gate.drain(until: MonotonicInstant.now().advanced(by: settings.shutdownWait))
        Self.recordRestarts(running: running, files: files, modulesDirectory: modulesDirectory, notes: recorder.notes)
        recorder.end()
        running.withLock { $0 = [:] }
        if idle {
            lock.release()
        } else {
            Recorder.note("shutdown stopped waiting for calls in flight after \(settings.shutdownWait); the last of them releases "
                          + "\(Self.lockName)", in: recorder.notes)
        }
    }

    /// What the agent should log, most recent last: why recording a restarted process failed, and
    /// a `shutdown` that stopped waiting for calls in flight.
    public var recordFailures: [String] { recorder.failures }
}
