import CLinux
import FileSystem
import Glibc
import ModuleSupervision

/// One process `hotswap dev` started: this same binary with another
/// subcommand, spawned with `posix_spawn` (Foundation's `Process` is not in
/// FoundationEssentials) as `hotswap ARGUMENTS` from the binary's real path,
/// so `ps`, `top` and `pgrep hotswap` name it `hotswap` (the kernel names a
/// process after the file it executes: `/proc/self/exe` would make it `exe`).
/// When that path no longer holds the running binary (rebuilt or deleted
/// since dev started), `/proc/self/exe` is executed instead, so every member
/// runs the build dev runs. Standard input is `/dev/null`; standard
/// output and error are appended to its log file; no other descriptor is
/// inherited. It runs in its own process
/// group, so the terminal's Ctrl-C reaches only dev, which then stops the
/// children in order; its signal mask and the dispositions of the signals
/// dev handles are reset to the defaults; and it arms `ParentDeathGuard`, so
/// it is killed if dev dies. Spawn only from the main thread: the kernel's
/// parent-death signal fires when the spawning *thread* exits.
public final class ChildProcess {
    public let name: String
    public let pid: pid_t
    public let logPath: String
    public let startedAt: ContinuousClock.Instant
    /// The log's size when the child was spawned: where its own lines begin.
    public let logOffset: off_t
    /// Set once the process has been reaped.
    public private(set) var exitStatus: ExitStatus?

    /// The signals whose disposition a child gets back to the default (dev
    /// ignores some of them and ignored dispositions survive `exec`).
    static let signalsResetToDefault: [Int32] = [SIGINT, SIGTERM, SIGHUP, SIGPIPE, SIGQUIT, SIGCHLD]

    private init(name: String, pid: pid_t, logPath: String, logOffset: off_t) {
        self.name = name
        self.pid = pid
        self.logPath = logPath
        self.logOffset = logOffset
        startedAt = .now
    }

    /// Starts `hotswap ARGUMENTS` as `name`, logging to `logPath`.
    static func spawn(name: String, arguments: [String], logPath: String) throws(DevFailure) -> ChildProcess {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, logPath, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        // Nothing else dev holds or inherited reaches the child: a descriptor
        // kept open there would outlive dev (Foundation's `Process`, for one,
        // learns that its child ended from a socket closing).
        hs_spawn_close_from(&actions, 3)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signalNumber in signalsResetToDefault { sigaddset(&defaults, signalNumber) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var mask = sigset_t()
        sigemptyset(&mask)
        posix_spawnattr_setsigmask(&attributes, &mask)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        let argumentVector = CStringVector([processName] + arguments)
        let environmentVector = CStringVector(childEnvironment())
        defer {
            argumentVector.free()
            environmentVector.free()
        }
        var pid: pid_t = 0
        let logOffset = LogFile.size(logPath)
        let result = posix_spawn(&pid, spawnPath(), &actions, &attributes,
                                 argumentVector.pointers, environmentVector.pointers)
        guard result == 0 else {
            throw DevFailure("cannot start \(name): posix_spawn: \(SystemErrorText.message(result))")
        }
        return ChildProcess(name: name, pid: pid, logPath: logPath, logOffset: logOffset)
    }

    /// Reaps the process if it has ended; returns its status once it has.
    @discardableResult
    public func poll() -> ExitStatus? {
        if let exitStatus { return exitStatus }
        var status: Int32 = 0
        while true {
            let reaped = waitpid(pid, &status, WNOHANG)
            if reaped == pid {
                exitStatus = ExitStatus(raw: status)
                return exitStatus
            }
            if reaped == -1, errno == EINTR { continue }
            if reaped == -1 {
                exitStatus = ExitStatus(raw: -1)
                return exitStatus
            }
            return nil
        }
    }

    public var isRunning: Bool { poll() == nil }

    /// Sends `signalNumber` unless the process has already been reaped (its
    /// pid could then belong to someone else).
    public func send(_ signalNumber: Int32) {
        guard isRunning else { return }
        kill(pid, signalNumber)
    }

    /// `argv[0]` of every child.
    static let processName = "hotswap"
    static let runningBinary = "/proc/self/exe"

    /// This binary's path as dev started: the file children are spawned
    /// from and the command dev tells its user to run.
    public static let executablePath: String = {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlink(runningBinary, &buffer, buffer.count - 1)
        guard count > 0 else { return "hotswap" }
        return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }()

    /// `executablePath` while it is still the running binary (same device and
    /// inode), else the running binary itself.
    static func spawnPath() -> String {
        var onDisk = stat()
        var running = stat()
        guard stat(executablePath, &onDisk) == 0, stat(runningBinary, &running) == 0,
              onDisk.st_dev == running.st_dev, onDisk.st_ino == running.st_ino else { return runningBinary }
        return executablePath
    }

    /// This process's environment plus the parent-death guard's variable.
    private static func childEnvironment() -> [String] {
        var inherited: [String] = []
        var cursor: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = environ
        while let current = cursor, let entry = current.pointee {
            inherited.append(String(cString: entry))
            cursor = current.advanced(by: 1)
        }
        return childEnvironment(inheriting: inherited, parentPid: getpid())
    }

    /// `inherited` without any earlier guard variable, then the guard naming `parentPid`.
    static func childEnvironment(inheriting inherited: [String], parentPid: pid_t) -> [String] {
        inherited.filter { !$0.hasPrefix(ParentDeathGuard.environmentKey + "=") }
            + ["\(ParentDeathGuard.environmentKey)=\(parentPid)"]
    }
}
