import FileSystem
import Glibc
import ModuleSupervision
import Primitives
import Transport

/// Finding a version's process by the instance id it carries (`HOTSWAP_INSTANCE`), when its
/// entry is pending (the agent died between the spawn and the pid's record) or names a process
/// that ended (a restart the recorder had not written yet); and the checks before a spawn.
extension SupervisedProcesses {
    /// Bytes of `/proc/PID/environ` read; a process whose environment is larger is not one of ours
    /// (the variable comes before the manifest's own, which the manifest's grammar bounds).
    static let environBytesMaximum = 64 * 1024

    /// A random id from the system's CSPRNG (`getrandom`), never 0 (which means none).
    static func newInstance() -> UInt64 {
        var generator = SystemRandomNumberGenerator()
        return UInt64.random(in: 1...UInt64.max, using: &generator)
    }

    /// Takes over the entry's process: the recorded one when it is alive as recorded, else the
    /// live group leader carrying its instance id in the version directory. Nil when none runs.
    static func adopt(_ launch: ModuleLaunch, _ entry: RecordedProcesses.Entry, _ logs: String,
                      _ policy: SupervisionPolicy) throws(ProcessControlFailure) -> ModuleSupervisor? {
        var candidates = entry.isPending ? [] : [entry.process]
        candidates += try processes(carrying: entry.instance, in: launch.directory).filter { $0.pid != entry.process.pid }
        for candidate in candidates {
            do {
                if let adopted = try ModuleSupervisor.adopt(launch: launch, recorded: candidate, logDirectory: logs, policy: policy) {
                    return adopted
                }
            } catch {
                throw ProcessControlFailure("adopting \(launch.name) \(launch.version) failed: \(error)")
            }
        }
        return nil
    }

    /// Ends the entry's recorded process (when `recordedToo`) and every live group leader that
    /// carries its instance id in `directory` (`ModuleSupervisor.terminate`); one whose `/proc`
    /// entry cannot be read is a failure, never taken as gone.
    static func end(_ entry: RecordedProcesses.Entry, of module: String, directory: String, grace: Duration,
                    recordedToo: Bool = true) throws(ProcessControlFailure) {
        var targets = recordedToo && !entry.isPending ? [entry.process] : []
        targets += try processes(carrying: entry.instance, in: directory).filter { !targets.contains($0) }
        for target in targets {
            do {
                _ = try ModuleSupervisor.terminate(recorded: target, grace: grace)
            } catch {
                throw ProcessControlFailure("\(module) \(entry.version): \(target) could not be ended: \(error)")
            }
        }
    }

    /// Refuses a port a listener holds now (bound with SO_REUSEADDR on 0.0.0.0, as
    /// `ListeningPort.isFree`): the probe of a new version could otherwise be answered by another process.
    static func checkFree(_ port: Int?, module: String, version: String) throws(ProcessControlFailure) {
        guard let port, let value = UInt16(exactly: port), value > 0 else { return }
        let address: SocketAddress
        do { address = try SocketAddress(parsing: "0.0.0.0:\(value)") } catch {
            throw ProcessControlFailure("port \(port): \(error)")
        }
        guard ListeningPort.isFree(address) else {
            throw ProcessControlFailure("\(module) \(version) did not start: port \(port) is in use")
        }
    }

    /// The live group leaders of this boot whose environment holds `HOTSWAP_INSTANCE=instance`
    /// and whose working directory is `directory`; none for instance 0. A process whose files
    /// vanish or deny reading is skipped (it is not a module this user started).
    static func processes(carrying instance: UInt64, in directory: String) throws(ProcessControlFailure) -> [RecordedProcess] {
        // No process runs in a directory that is not there.
        guard instance != 0, let wanted = canonical(directory) else { return [] }
        let needle = Array("\(ModuleLaunch.instanceVariable)=\(ModuleLaunch.instanceText(instance))".utf8)
        let bootID: String
        do { bootID = try RecordedProcess.currentBootID() } catch { throw ProcessControlFailure("\(error)") }
        guard let listing = opendir("/proc") else {
            throw ProcessControlFailure("/proc cannot be listed: \(SystemErrorText.text(errno))")
        }
        defer { closedir(listing) }
        var found: [RecordedProcess] = []
        while let item = readdir(listing) {
            let name = withUnsafeBytes(of: item.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            guard let pid = Int32(name), pid > 0 else { continue }
            guard let environ = try procBytes("/proc/\(pid)/environ", maximumBytes: environBytesMaximum),
                  environ.split(separator: 0).contains(where: { $0.elementsEqual(needle) }),
                  canonical("/proc/\(pid)/cwd") == wanted,
                  let startTime = try leaderStartTime(pid) else { continue }
            found.append(RecordedProcess(pid: pid, startTime: startTime, bootID: bootID))
        }
        return found
    }

    /// The start time (field 22 of `/proc/PID/stat`) of a live process that leads its group; nil
    /// when it ended, is a zombie or leads no group; throws when the file cannot be parsed.
    static func leaderStartTime(_ pid: Int32) throws(ProcessControlFailure) -> UInt64? {
        let path = "/proc/\(pid)/stat"
        guard let bytes = try procBytes(path, maximumBytes: 4096) else { return nil }
        guard let close = bytes.lastIndex(of: UInt8(ascii: ")")) else { throw ProcessControlFailure("\(path) is not a stat line") }
        let fields = bytes[(close + 1)...].split(separator: UInt8(ascii: " ")).map { String(decoding: $0, as: UTF8.self) }
        guard fields.count > 19, let group = Int32(fields[2]), let start = UInt64(fields[19]) else {
            throw ProcessControlFailure("\(path) is not a stat line")
        }
        return fields[0] != "Z" && fields[0] != "X" && group == pid ? start : nil
    }

    /// A `/proc` file's bytes; nil when the process ended (ENOENT, ESRCH) or is another user's
    /// (EACCES, EPERM); any other failure is thrown, never taken as "not ours".
    static func procBytes(_ path: String, maximumBytes: Int) throws(ProcessControlFailure) -> [UInt8]? {
        do {
            return try FileReader.read(path, maximumBytes: maximumBytes)
        } catch {
            if case .tooLarge = error { return nil }
            if let code = error.errno, [ENOENT, ESRCH, EACCES, EPERM].contains(code) { return nil }
            throw ProcessControlFailure("\(path) cannot be read: \(error)")
        }
    }

    static func canonical(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
