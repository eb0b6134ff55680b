import FileSystem
import Locking
import ModuleSupervision

/// Launching, adopting and recording: the file and manifest work behind `SupervisedProcesses`.
extension SupervisedProcesses {
    func records(_ layout: ModuleLayout) throws(ProcessControlFailure) -> RecordedProcesses {
        do { return try RecordedProcesses.read(layout) } catch { throw ProcessControlFailure(error.description) }
    }

    /// Reads, changes and writes back the module's processes file, under `files`.
    func update(_ layout: ModuleLayout, _ change: (inout RecordedProcesses) -> Void) throws(ProcessControlFailure) {
        let failure = files.withLock { (count: inout UInt64) -> InstallationError? in
            count &+= 1
            do throws(InstallationError) {
                var processes = try RecordedProcesses.read(layout)
                let before = processes
                change(&processes)
                if processes != before { try processes.write(layout) }
                return nil
            } catch {
                return error
            }
        }
        if let failure { throw ProcessControlFailure(failure.description) }
    }

    /// Records the new process of each supervisor that restarted its module since it was
    /// recorded; a supervisor stopped meanwhile is left out. Failures are kept for the agent to log.
    static func recordRestarts(running: Locked<[Key: ModuleSupervisor]>, files: Locked<UInt64>, modulesDirectory: String,
                               notes: Locked<[String]>) {
        for (key, supervisor) in running.withLock({ $0 }) {
            let status = supervisor.status
            guard let process = status.process, Self.isAlive(status.state) else { continue }
            let layout: ModuleLayout
            do { layout = try Self.layout(modulesDirectory, key.module) } catch { continue }
            let failure = files.withLock { (count: inout UInt64) -> InstallationError? in
                count &+= 1
                guard running.withLock({ $0[key] }) === supervisor else { return nil }
                do throws(InstallationError) {
                    var processes = try RecordedProcesses.read(layout)
                    guard processes.entry(for: key.version)?.process != process else { return nil }
                    processes.record(.init(version: key.version, port: supervisor.launch.port.map(Int.init), process: process,
                                           instance: supervisor.launch.instance ?? 0))
                    try processes.write(layout)
                    return nil
                } catch {
                    return error
                }
            }
            if let failure { Recorder.note("recording \(key.module) \(key.version)'s process failed: \(failure)", in: notes) }
        }
    }

    /// `portOffset` matters only to a layout whose manifests are read (a launch's).
    static func layout(_ modulesDirectory: String, _ module: String, portOffset: Int = 0) throws(ProcessControlFailure) -> ModuleLayout {
        do { return try ModuleLayout(modulesDirectory: modulesDirectory, module: module, portOffset: portOffset) } catch {
            throw ProcessControlFailure(error.description)
        }
    }

    static func launch(_ layout: ModuleLayout, version: String, directory: String, port: Int?,
                       instance: UInt64) throws(ProcessControlFailure) -> ModuleLaunch {
        let assigned: UInt16?
        if let port {
            guard let value = UInt16(exactly: port), value > 0 else { throw ProcessControlFailure("port \(port) is out of range") }
            assigned = value
        } else {
            assigned = nil
        }
        do {
            let manifest = try layout.manifest(of: version)
            return try ModuleLaunch(directory: directory, manifest: manifest, port: assigned, instance: instance == 0 ? nil : instance)
        } catch let error as InstallationError {
            throw ProcessControlFailure(error.description)
        } catch {
            throw ProcessControlFailure("\(error)")
        }
    }

    /// `modules/NAME/logs/`, made when missing.
    static func logDirectory(_ layout: ModuleLayout) throws(ProcessControlFailure) -> String {
        let path = "\(layout.root)/\(logsName)"
        do { _ = try Directory.ensure(path, mode: 0o700, syncingParent: true) } catch { throw ProcessControlFailure(error.description) }
        return path
    }

    static func exitText(_ status: SupervisorStatus) -> String {
        status.lastExit.map(\.description) ?? "it is \(status.state)"
    }

    static func text(_ verdict: HealthVerdict, _ status: SupervisorStatus) -> String {
        let failure = verdict.lastFailure.map { ", the last failure: \($0)" } ?? ""
        switch verdict.ending {
        case .healthy, .noProbe: return "healthy"
        case .deadlinePassed:
            return "\(verdict.successesInARow) probes in a row passed of \(verdict.tries) by the deadline\(failure)"
        case .processEnded: return "the process ended (\(exitText(status)))\(failure)"
        case .crashLooping: return "it crashed again and again (\(exitText(status)))\(failure)"
        case .stopped: return "it was stopped\(failure)"
        }
    }
}
