import CLinux
import Glibc

/// One program to start for a module: its resolved executable, `argv` (`argv[0]` first), the
/// environment as `NAME=value`, the working directory and the descriptor its standard output and
/// error go to.
struct SpawnRequest: Sendable {
    let executable: String
    let arguments: [String]
    let environment: [String]
    let directory: String
    let output: Int32
}

/// Starts module processes with `posix_spawn`: in a process group of their own (so a stop
/// reaches everything they started, and the agent's own signals never do), standard input
/// `/dev/null`, standard output and error to the request's descriptor, no other descriptor
/// inherited, every signal's disposition back to the default and none blocked, in the version
/// directory, with only the request's environment.
enum ProcessSpawn {
    static func spawn(_ request: SpawnRequest) throws(SupervisionError) -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, request.output, 1)
        posix_spawn_file_actions_adddup2(&actions, request.output, 2)
        hs_spawn_close_from(&actions, 3)
        hs_spawn_chdir(&actions, request.directory)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t()
        sigfillset(&defaults)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var mask = sigset_t()
        sigemptyset(&mask)
        posix_spawnattr_setsigmask(&attributes, &mask)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        let argumentVector = CStringVector(request.arguments)
        let environmentVector = CStringVector(request.environment)
        defer {
            argumentVector.free()
            environmentVector.free()
        }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, request.executable, &actions, &attributes, argumentVector.pointers, environmentVector.pointers)
        guard result == 0 else {
            throw .spawnFailed(command: request.executable, reason: "posix_spawn: \(CommandPath.errorText(result))")
        }
        return pid
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
