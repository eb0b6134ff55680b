import CLinux
import Glibc
import Modules

/// One program to start for a launch (its start command or a command probe): the executable
/// resolved inside the version directory (`CommandPath`), `argv` (the command as written first,
/// then the interpolated arguments), the clean environment as `NAME=value`, and the version
/// directory to run in.
struct SpawnCommand: Equatable, Sendable {
    let executable: String
    let arguments: [String]
    let environment: [String]
    let directory: String

    init(launch: ModuleLaunch, invocation: ModuleManifest.Invocation) throws(SupervisionError) {
        executable = try CommandPath.resolve(invocation.command, in: launch.directory)
        arguments = [invocation.command] + launch.arguments(of: invocation)
        environment = launch.environment(of: invocation)
        directory = launch.directory
    }
}

/// Starts module processes with `posix_spawn`: in a session of its own (`setsid`, so it has no
/// controlling terminal and leads a process group whose id is its pid: a stop reaches everything
/// it started, and the agent's own signals never do), standard input `/dev/null`, standard output
/// and error to the request's descriptor, no other descriptor inherited, every signal's
/// disposition back to the default and none blocked, in the version directory, with only the
/// request's environment. Every step's result is checked: a file action or attribute that
/// cannot be set refuses the spawn rather than run the module without it.
enum ProcessSpawn {
    /// Spawns `command` with its standard output and error on `output`, and holds the new process
    /// by a pidfd (`WatchedProcess.spawned`). Without one it could not be watched: it is then
    /// killed with its group and reaped, and the error thrown, so nothing runs unwatched.
    static func watched(_ command: SpawnCommand, output: Int32) throws(SupervisionError) -> WatchedProcess {
        let pid = try spawn(command, output: output)
        do {
            return try WatchedProcess.spawned(pid: pid)
        } catch {
            kill(-pid, SIGKILL)
            var status: Int32 = 0
            waitpid(pid, &status, 0)
            throw error
        }
    }

    static func spawn(_ request: SpawnCommand, output: Int32) throws(SupervisionError) -> pid_t {
        var actions = posix_spawn_file_actions_t()
        try check(posix_spawn_file_actions_init(&actions), "posix_spawn_file_actions_init", request)
        defer { posix_spawn_file_actions_destroy(&actions) }
        try check(posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0), "addopen", request)
        try check(posix_spawn_file_actions_adddup2(&actions, output, 1), "adddup2", request)
        try check(posix_spawn_file_actions_adddup2(&actions, output, 2), "adddup2", request)
        try check(hs_spawn_close_from(&actions, 3), "addclosefrom_np", request)
        try check(hs_spawn_chdir(&actions, request.directory), "addchdir_np", request)

        var attributes = posix_spawnattr_t()
        try check(posix_spawnattr_init(&attributes), "posix_spawnattr_init", request)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t()
        sigfillset(&defaults)
        try check(posix_spawnattr_setsigdefault(&attributes, &defaults), "setsigdefault", request)
        var mask = sigset_t()
        sigemptyset(&mask)
        try check(posix_spawnattr_setsigmask(&attributes, &mask), "setsigmask", request)
        let flags = Int16(HS_POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK)
        try check(posix_spawnattr_setflags(&attributes, flags), "setflags", request)

        let argumentVector = CStringVector(request.arguments)
        let environmentVector = CStringVector(request.environment)
        defer {
            argumentVector.free()
            environmentVector.free()
        }
        var pid: pid_t = 0
        var result = posix_spawn(&pid, request.executable, &actions, &attributes, argumentVector.pointers, environmentVector.pointers)
        // ETXTBSY: the executable was just written, and a child that another thread was forking at
        // that moment still held the writing descriptor until its own exec closed it. It passes
        // within milliseconds; a few bounded retries, then the error.
        var retries = 0
        while result == ETXTBSY && retries < Self.busyExecutableRetries {
            retries += 1
            _ = poll(nil, 0, Int32(10 * retries))
            result = posix_spawn(&pid, request.executable, &actions, &attributes, argumentVector.pointers, environmentVector.pointers)
        }
        try check(result, "posix_spawn", request)
        return pid
    }

    /// Spawns retried after ETXTBSY (10, 20, ... ms apart: at most 0.55 s in all).
    static let busyExecutableRetries = 10

    private static func check(_ result: Int32, _ step: String, _ request: SpawnCommand) throws(SupervisionError) {
        guard result != 0 else { return }
        throw .spawnFailed(command: request.executable, reason: "\(step): \(CommandPath.errorText(result))")
    }
}

/// A NULL-terminated array of C strings for `posix_spawn`, freed explicitly.
public struct CStringVector {
    public let pointers: [UnsafeMutablePointer<CChar>?]

    public init(_ strings: [String]) {
        pointers = strings.map { strdup($0) } + [nil]
    }

    public func free() {
        for pointer in pointers { Glibc.free(pointer) }
    }
}
