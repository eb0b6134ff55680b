import FileSystem
import Glibc
import ModuleSupervision
import Primitives
import Transport

/// Taking over or ending a version's processes when this agent does not supervise them: the
/// recorded process, or when its entry is pending (the agent died between the spawn and the
/// pid's record) or names a process that ended (a restart the recorder had not written yet), the
/// processes an `InstanceScan` finds; and the checks before a spawn.
extension SupervisedProcesses {
    /// What `takeOver` found.
    enum Takeover {
        case adopted(ModuleSupervisor)
        /// Nothing adopted: the processes the scan found (nil when it did not scan), and why none
        /// was adopted when that needs saying (for the log of the version started instead).
        case notAdopted(found: [RecordedProcess]?, note: String?)
    }

    /// A random id from the system's CSPRNG (`getrandom`), never 0 (which means none).
    static func newInstance() -> UInt64 {
        var generator = SystemRandomNumberGenerator()
        return UInt64.random(in: 1...UInt64.max, using: &generator)
    }

    /// The live group leaders of this user that carry the entry's instance id or write its
    /// version's log (`InstanceScan`): the one scan of `/proc` a call makes.
    func unrecorded(_ entry: RecordedProcesses.Entry, _ layout: ModuleLayout) throws(ProcessControlFailure) -> [RecordedProcess] {
        scans.withLock { $0 &+= 1 }
        let log = ModuleLog.path(directory: "\(layout.root)/\(Self.logsName)", name: layout.module, version: entry.version)
        return try InstanceScan(instance: entry.instance, log: try InstanceScan.FileIdentity(path: log)).run()
    }

    /// Takes over the entry's process: the recorded one when it is alive as recorded, else the
    /// one process the scan finds. When the scan finds more than one (a `setsid` descendant of
    /// the module, an orphan of an earlier run) none is adopted, since none is known to be the
    /// module: the caller ends them all and starts the version again, and the note says so.
    func takeOver(_ entry: RecordedProcesses.Entry, _ launch: ModuleLaunch, _ layout: ModuleLayout,
                  _ logs: String) throws(ProcessControlFailure) -> Takeover {
        let policy = settings.supervision
        if !entry.isPending, let adopted = try Self.adopt(launch, entry.process, logs, policy) { return .adopted(adopted) }
        let found = try unrecorded(entry, layout)
        guard found.count <= 1 else {
            let pids = found.map { "\($0.pid)" }.joined(separator: ", ")
            return .notAdopted(found: found, note: "\(found.count) processes carry \(launch.name) \(launch.version)'s instance "
                               + "\(ModuleLaunch.instanceText(entry.instance)) or write its log (pids \(pids)): adopting none; "
                               + "they are ended and the version started again")
        }
        if let only = found.first, let adopted = try Self.adopt(launch, only, logs, policy) { return .adopted(adopted) }
        return .notAdopted(found: found, note: nil)
    }

    /// `ModuleSupervisor.adopt`, its failure as the control's.
    static func adopt(_ launch: ModuleLaunch, _ process: RecordedProcess, _ logs: String,
                      _ policy: SupervisionPolicy) throws(ProcessControlFailure) -> ModuleSupervisor? {
        do {
            return try ModuleSupervisor.adopt(launch: launch, recorded: process, logDirectory: logs, policy: policy)
        } catch {
            throw ProcessControlFailure("adopting \(launch.name) \(launch.version) failed: \(error)")
        }
    }

    /// Ends the entry's recorded process (when `recordedToo`) and every process in `found`
    /// (`ModuleSupervisor.terminate`); one whose `/proc` entry cannot be read is a failure, never
    /// taken as gone.
    static func end(_ entry: RecordedProcesses.Entry, of module: String, found: [RecordedProcess], grace: Duration,
                    recordedToo: Bool = true) throws(ProcessControlFailure) {
        var targets = recordedToo && !entry.isPending ? [entry.process] : []
        targets += found.filter { !targets.contains($0) }
        for target in targets {
            do {
                _ = try ModuleSupervisor.terminate(recorded: target, grace: grace)
            } catch {
                throw ProcessControlFailure("\(module) \(entry.version): \(target) could not be ended: \(error)")
            }
        }
    }

    /// Refuses a port a listener holds now: the probe of a new version could otherwise be
    /// answered by another process.
    static func checkFree(_ port: Int?, module: String, version: String) throws(ProcessControlFailure) {
        guard let port, let value = UInt16(exactly: port), value > 0 else { return }
        if let refusal = portRefusal(host: "0.0.0.0", port: value) {
            throw ProcessControlFailure("\(module) \(version) did not start: \(refusal)")
        }
    }

    /// Why `host:port` cannot be listened on now, or nil when it can: a bind with SO_REUSEADDR (a
    /// TIME_WAIT leftover is no obstacle) but not SO_REUSEPORT, which any listener there refuses.
    /// Only EADDRINUSE means the port is in use; any other failure is reported as what it is.
    static func portRefusal(host: String, port: UInt16) -> String? {
        let address: SocketAddress
        do { address = try SocketAddress(host: host, port: port) } catch { return "port \(port): \(error)" }
        let descriptor = socket(address.family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { return "checking that port \(port) is free failed: socket: \(SystemErrorText.text(errno))" }
        defer { close(descriptor) }
        var one: Int32 = 1
        guard setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size)) == 0 else {
            return "checking that port \(port) is free failed: SO_REUSEADDR: \(SystemErrorText.text(errno))"
        }
        guard address.withSocketAddress({ bind(descriptor, $0, $1) }) != 0 else { return nil }
        let code = errno
        if code == EADDRINUSE { return "port \(port) is in use" }
        return "checking that port \(port) is free failed: bind to \(host):\(port): \(SystemErrorText.text(code))"
    }
}
