import CLinux
import CommandLineSupport
import FileSystem
import Glibc
import ModuleSupervision

/// The module processes of a dev fleet's agents: an agent that stops leaves its modules running
/// for the next agent to adopt (Docs/AGENT.md), but a dev fleet's modules end with it. A process
/// is one of them only when all three hold: it is this user's, its environment carries the
/// supervisor's `HOTSWAP_MODULE` and `HOTSWAP_INSTANCE`, and its working directory (a version
/// directory, `DIR/data/NODE/modules/…`) lies under the fleet's data directory, symlinks resolved.
/// A process merely sitting in that directory (a shell, a database) is never touched. Each is
/// held by a pidfd from before the checks, so a reused pid is never signalled; each gets SIGTERM,
/// then SIGKILL when it has not ended after `stopTimeout` or a further Ctrl-C.
enum DevModuleProcesses {
    /// More than any dev fleet runs (32 agents, a few modules each); `/proc` is read no further.
    static let processesMaximum = 100_000
    /// Bytes of `/proc/PID/environ` read: the supervisor's variables come first (ModuleLaunch).
    static let environPrefixBytes = 4 << 10
    static let stopTimeout: Duration = .seconds(10)
    static let pollInterval: Duration = .milliseconds(100)

    /// Stops them; the number stopped and a note for each that needed SIGKILL. `interrupted`
    /// turning true (a further Ctrl-C) cuts the wait short.
    static func stopAll(under dataRoot: String, interrupted: () -> Bool = { false }) -> (count: Int, notes: [String]) {
        let held = find(under: dataRoot)
        defer { for (_, descriptor) in held { close(descriptor) } }
        for (_, descriptor) in held { _ = hs_pidfd_send_signal(descriptor, SIGTERM) }
        let deadline = ContinuousClock.now.advanced(by: stopTimeout)
        var left = held
        while !left.isEmpty, ContinuousClock.now < deadline, !interrupted() {
            sleep(for: pollInterval)
            left = left.filter { !hasEnded($0.descriptor) }
        }
        for (_, descriptor) in left { _ = hs_pidfd_send_signal(descriptor, SIGKILL) }
        return (held.count, left.map { "module process \($0.pid) under \(dataRoot) did not stop after SIGTERM; killed it" })
    }

    /// The module processes under `dataRoot` (canonicalized first), each with a pidfd the caller closes.
    static func find(under dataRoot: String) -> [(pid: Int32, descriptor: Int32)] {
        guard let root = canonical(dataRoot), let directory = opendir("/proc") else { return [] }
        defer { closedir(directory) }
        var found: [(pid: Int32, descriptor: Int32)] = []
        var seen = 0
        while seen < processesMaximum, let entry = readdir(directory) {
            seen += 1
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            guard let pid = Int32(name), pid > 1, pid != getpid() else { continue }
            let descriptor = hs_pidfd_open(pid)
            guard descriptor >= 0 else { continue }
            // Checked after the pidfd is open and alive after the checks: the files read were this process's.
            if isModule(pid, under: root), !hasEnded(descriptor) {
                found.append((pid, descriptor))
            } else {
                close(descriptor)
            }
        }
        return found
    }

    /// `path` with symlinks, `.`, `..` and repeated slashes resolved; nil when it does not exist.
    static func canonical(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// Whether `pid` is this user's, carries the supervisor's variables and works under `root`.
    private static func isModule(_ pid: Int32, under root: String) -> Bool {
        let directory = open("/proc/\(pid)", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard directory >= 0 else { return false }
        defer { close(directory) }
        var owner = stat()
        guard fstat(directory, &owner) == 0, owner.st_uid == geteuid() else { return false }
        guard let cwd = workingDirectory(directory), cwd.hasPrefix(root + "/") else { return false }
        let file = openat(directory, "environ", O_RDONLY | O_CLOEXEC)
        guard file >= 0 else { return false }
        defer { close(file) }
        // An environment that cannot be read is not known to be a module's: the process is left alone.
        let environ: [UInt8]
        do { environ = try DescriptorIO.read(file, upTo: environPrefixBytes, path: "/proc/\(pid)/environ") } catch { return false }
        let entries = environ.split(separator: 0)
        return ["HOTSWAP_MODULE=", "\(ModuleLaunch.instanceVariable)="].allSatisfy { name in
            entries.contains { $0.starts(with: name.utf8) }
        }
    }

    /// The process's working directory, as the kernel names it (canonical).
    private static func workingDirectory(_ directory: Int32) -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let length = readlinkat(directory, "cwd", &buffer, Int(PATH_MAX))
        guard length > 0 else { return nil }
        return String(decoding: buffer.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Whether the process a pidfd refers to has ended.
    private static func hasEnded(_ descriptor: Int32) -> Bool {
        var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        return poll(&entry, 1, 0) > 0
    }
}
