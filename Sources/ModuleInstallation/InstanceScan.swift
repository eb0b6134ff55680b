import FileSystem
import Glibc
import ModuleSupervision

/// Finds the processes of a version's run that no record names (a pending entry, or a restart
/// the recorder had not written): the live group leaders of this user that carry the run's
/// `HOTSWAP_INSTANCE` in their environment, or whose standard output or error is the version's
/// log (which survives a `chdir`, an environment replaced by `exec env -i`, and a rewritten
/// environment block). Each process is filtered on its owner and `/proc/PID/stat` first, and only
/// then is the start of its environment read (`environPrefixBytes`), so a wedged process of
/// another user is never read. A process of this user that cannot be read fails the scan: it
/// could be the module's, and a miss would start a second copy (Docs/MODULES.md, "Processes of a module").
struct InstanceScan {
    /// Bytes of `/proc/PID/environ` read: `HOTSWAP_INSTANCE` comes after `PATH` and the other three
    /// reserved variables, whose values the manifest's grammar bounds far below this.
    static let environPrefixBytes = 4 << 10
    /// `/proc/PID/stat` is one line; far shorter than this.
    static let statBytesMaximum = 4 << 10
    /// Entries of `/proc` looked at, at most.
    static let entriesMaximum = 1 << 17

    /// The run's instance id (0: none, found only by its log).
    let instance: UInt64
    /// The version's log file, as `stat` names it; nil when there is none yet.
    let log: FileIdentity?

    /// Device and inode of a file.
    struct FileIdentity: Equatable {
        let device: UInt64
        let inode: UInt64

        init(_ status: stat) {
            device = UInt64(status.st_dev)
            inode = UInt64(status.st_ino)
        }

        /// The file at `path`; nil when there is none.
        init?(path: String) throws(ProcessControlFailure) {
            var status = stat()
            guard stat(path, &status) == 0 else {
                if errno == ENOENT { return nil }
                throw ProcessControlFailure("\(path) cannot be checked: \(SystemErrorText.text(errno))")
            }
            self.init(status)
        }
    }

    /// Why a `/proc` read of a process of this user failed, or nil when the process is simply gone.
    static func failure(_ code: Int32, _ path: String) -> ProcessControlFailure? {
        guard code != ENOENT && code != ESRCH else { return nil }
        return ProcessControlFailure("\(path) cannot be read, though the process is this user's (it could be a module's): "
                                     + SystemErrorText.text(code))
    }

    /// Every matching process now, in `/proc` order.
    func run() throws(ProcessControlFailure) -> [RecordedProcess] {
        guard instance != 0 || log != nil else { return [] }
        let bootID: String
        do { bootID = try RecordedProcess.currentBootID() } catch { throw ProcessControlFailure("\(error)") }
        guard let listing = opendir("/proc") else {
            throw ProcessControlFailure("/proc cannot be listed: \(SystemErrorText.text(errno))")
        }
        defer { closedir(listing) }
        let needle = Array("\(ModuleLaunch.instanceVariable)=\(ModuleLaunch.instanceText(instance))".utf8)
        var found: [RecordedProcess] = []
        for _ in 0..<Self.entriesMaximum {
            guard let item = readdir(listing) else { break }
            let name = withUnsafeBytes(of: item.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            guard let pid = Int32(name), pid > 0, let startTime = try matching(pid, needle: needle) else { continue }
            found.append(RecordedProcess(pid: pid, startTime: startTime, bootID: bootID))
        }
        return found
    }

    /// The start time of `pid` when it matches; nil when it does not or is gone. Its `/proc`
    /// directory is held open, so every file read is of that process even if the pid is reused.
    private func matching(_ pid: Int32, needle: [UInt8]) throws(ProcessControlFailure) -> UInt64? {
        let path = "/proc/\(pid)"
        let directory = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard directory >= 0 else {
            if errno == ENOENT || errno == ESRCH { return nil }
            throw ProcessControlFailure("\(path) cannot be opened: \(SystemErrorText.text(errno))")
        }
        defer { close(directory) }
        var owner = stat()
        guard fstat(directory, &owner) == 0 else { throw ProcessControlFailure("\(path): fstat: \(SystemErrorText.text(errno))") }
        // A module runs with this process's uid; `/proc/PID` belongs to the process's effective uid.
        guard owner.st_uid == geteuid() else { return nil }
        guard let stat = try read(directory, "stat", pid, upTo: Self.statBytesMaximum, ownFailure: false),
              let startTime = try Self.leaderStartTime(stat, pid) else { return nil }
        if let log, try writes(to: log, directory, pid) { return startTime }
        guard instance != 0, let environ = try read(directory, "environ", pid, upTo: Self.environPrefixBytes, ownFailure: true)
        else { return nil }
        return Self.entries(environ, prefixOf: Self.environPrefixBytes).contains { $0.elementsEqual(needle) } ? startTime : nil
    }

    /// Whether the process's standard output or error is `log`.
    private func writes(to log: FileIdentity, _ directory: Int32, _ pid: Int32) throws(ProcessControlFailure) -> Bool {
        for descriptor in ["fd/1", "fd/2"] {
            var status = stat()
            if fstatat(directory, descriptor, &status, 0) == 0 {
                if FileIdentity(status) == log { return true }
                continue
            }
            if let failure = Self.failure(errno, "/proc/\(pid)/\(descriptor)") { throw failure }
        }
        return false
    }

    /// Up to `count` bytes of the process's file `name`; nil when the process is gone. A failure
    /// other than that is thrown (for `ownFailure`, worded as this user's process).
    private func read(_ directory: Int32, _ name: String, _ pid: Int32, upTo count: Int,
                      ownFailure: Bool) throws(ProcessControlFailure) -> [UInt8]? {
        let path = "/proc/\(pid)/\(name)"
        let file = openat(directory, name, O_RDONLY | O_CLOEXEC)
        var code = errno
        if file >= 0 {
            defer { close(file) }
            do { return try DescriptorIO.read(file, upTo: count, path: path) } catch { code = error.errno ?? EIO }
        }
        if code == ENOENT || code == ESRCH { return nil }
        if ownFailure, let failure = Self.failure(code, path) { throw failure }
        throw ProcessControlFailure("\(path) cannot be read: \(SystemErrorText.text(code))")
    }

    /// The start time (field 22) in a `/proc/PID/stat` line of a live process that leads its
    /// group; nil when it is a zombie or leads no group; throws when the line cannot be parsed.
    static func leaderStartTime(_ bytes: [UInt8], _ pid: Int32) throws(ProcessControlFailure) -> UInt64? {
        let path = "/proc/\(pid)/stat"
        guard let close = bytes.lastIndex(of: UInt8(ascii: ")")) else { throw ProcessControlFailure("\(path) is not a stat line") }
        let fields = bytes[(close + 1)...].split(separator: UInt8(ascii: " ")).map { String(decoding: $0, as: UTF8.self) }
        guard fields.count > 19, let group = Int32(fields[2]), let start = UInt64(fields[19]) else {
            throw ProcessControlFailure("\(path) is not a stat line")
        }
        return fields[0] != "Z" && fields[0] != "X" && group == pid ? start : nil
    }

    /// The NUL-terminated entries of an environment read up to `limit` bytes: when the read
    /// filled the limit, its last entry may be cut short and is left out.
    static func entries(_ bytes: [UInt8], prefixOf limit: Int) -> [ArraySlice<UInt8>] {
        var pieces = bytes.split(separator: 0, omittingEmptySubsequences: false)
        if bytes.last != 0, !pieces.isEmpty, bytes.count >= limit { pieces.removeLast() }
        return pieces.filter { !$0.isEmpty }
    }
}
