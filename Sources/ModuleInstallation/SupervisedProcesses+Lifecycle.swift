import HostInstall
import ModuleSupervision

/// After a restart, at the end, and for uninstalls and tests: what runs beyond single steps.
extension SupervisedProcesses {
    /// Once the module's installer has recovered (its record has no operation in flight): ends
    /// every process of the module but the committed version's, recorded or supervised, then
    /// makes the committed version run on its port, adopting its recorded process when that is
    /// still alive. An agent calls it for each module at start.
    public func resume(layout: ModuleLayout, record: InstallRecord) throws(ProcessControlFailure) {
        guard record.intent == nil else {
            throw ProcessControlFailure("\(layout.module) has an operation in flight; its installer must recover first")
        }
        let committed = record.committed?.version
        let supervised = running.withLock { $0.keys.filter { $0.module == layout.module }.map(\.version) }
        let recorded = try records(layout).entries.map(\.version)
        for version in Set(supervised + recorded).sorted() where version != committed {
            try stop(module: layout.module, version: version)
        }
        guard let active = record.committed else { return }
        try start(module: layout.module, version: active.version, directory: layout.versionDirectory(active.version),
                  port: active.port)
    }

    /// Stops every version this agent supervises and forgets their records: for an uninstall
    /// and for tests, never at an agent's shutdown. Every one is tried; the first failure is thrown.
    public func stopAll() throws(ProcessControlFailure) {
        let keys = running.withLock { Array($0.keys) }
        var first: ProcessControlFailure?
        for key in keys {
            do { try stop(module: key.module, version: key.version) } catch { first = first ?? error }
        }
        if let first { throw first }
    }

    /// The agent stops: joins the recording thread and lets go of every supervisor (joining
    /// their watcher threads) without stopping its process, so modules keep serving while the
    /// agent restarts, and the next one adopts them (`resume`). Later calls of any kind fail.
    public func shutdown() {
        recorder.end()
        let supervisors = running.withLock { running in
            defer { running = [:] }
            return Array(running.values)
        }
        for supervisor in supervisors { supervisor.letGo() }
    }

    /// Why recording a restarted process failed, most recent last (to log).
    public var recordFailures: [String] { recorder.failures }
}
