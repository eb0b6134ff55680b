import CLinux
import Glibc

/// The descriptors of one `Subprocess` spawn: the pipes it opens (both ends
/// close-on-exec, so no child another thread spawns meanwhile inherits
/// them), what the child's descriptors 0, 1 and 2 become, and the spawn
/// itself, which closes every other descriptor in the child and gives it an
/// empty signal mask and default dispositions.
struct Plumbing {
    /// What the child's standard descriptors are set to, in order.
    private enum Step {
        case open(Int32, path: String, flags: Int32)
        case duplicate(Int32, onto: Int32)
    }

    private(set) var inputWriter: Int32?
    private(set) var outputReader: Int32?
    private(set) var errorReader: Int32?
    /// The pipe ends the child uses, closed here once it has them.
    private var childEnds: [Int32] = []
    private var steps: [Step] = []

    mutating func setUp(input: Subprocess.Input, output: Subprocess.Output, error: Subprocess.Output) throws {
        switch input {
        case .null:
            steps.append(.open(STDIN_FILENO, path: "/dev/null", flags: O_RDONLY))
        case .pipe:
            let ends = try pipe()
            inputWriter = ends.write
            childEnds.append(ends.read)
            steps.append(.duplicate(ends.read, onto: STDIN_FILENO))
        }
        outputReader = try route(output, to: STDOUT_FILENO)
        errorReader = try route(error, to: STDERR_FILENO)
    }

    /// Sets `descriptor` of the child up; the read end of its pipe when `output` is `.pipe`.
    private mutating func route(_ output: Subprocess.Output, to descriptor: Int32) throws -> Int32? {
        switch output {
        case .null:
            steps.append(.open(descriptor, path: "/dev/null", flags: O_WRONLY))
            return nil
        case .standardOutput:
            steps.append(.duplicate(STDOUT_FILENO, onto: descriptor))
            return nil
        case .pipe:
            let ends = try pipe()
            childEnds.append(ends.write)
            steps.append(.duplicate(ends.write, onto: descriptor))
            return ends.read
        }
    }

    private mutating func pipe() throws -> (read: Int32, write: Int32) {
        var ends: [Int32] = [-1, -1]
        guard hs_pipe_cloexec(&ends) == 0 else {
            throw Subprocess.SpawnFailure(description: "cannot open a pipe: \(String(cString: strerror(errno)))")
        }
        return (ends[0], ends[1])
    }

    /// `posix_spawn`'s result (0 or an errno) and the child's pid.
    func spawn(_ executable: String, arguments: [String], environment: [String],
               workingDirectory: String?) -> (result: Int32, pid: pid_t) {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if let workingDirectory { hs_spawn_chdir(&actions, workingDirectory) }
        for step in steps {
            switch step {
            case let .open(descriptor, path, flags): posix_spawn_file_actions_addopen(&actions, descriptor, path, flags, 0)
            case let .duplicate(source, target): posix_spawn_file_actions_adddup2(&actions, source, target)
            }
        }
        hs_spawn_close_from(&actions, STDERR_FILENO + 1)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // Every signal to its default: the test process may ignore some (SIGPIPE), and ignoring survives exec.
        var defaults = sigset_t()
        sigfillset(&defaults)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var mask = sigset_t()
        sigemptyset(&mask)
        posix_spawnattr_setsigmask(&attributes, &mask)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        var pid: pid_t = 0
        let result = withCStrings(arguments) { argv in
            withCStrings(environment) { envp in posix_spawn(&pid, executable, &actions, &attributes, argv, envp) }
        }
        return (result, pid)
    }

    func closeChildEnds() {
        for descriptor in childEnds { close(descriptor) }
    }

    /// Closes every pipe end, for a spawn that failed.
    func closeAll() {
        closeChildEnds()
        for descriptor in [inputWriter, outputReader, errorReader].compactMap({ $0 }) { close(descriptor) }
    }
}

/// Calls `body` with `strings` as a NULL-terminated array of C strings, freed after.
private func withCStrings<Result>(_ strings: [String], _ body: ([UnsafeMutablePointer<CChar>?]) -> Result) -> Result {
    let pointers = strings.map { strdup($0) } + [nil]
    defer { for pointer in pointers { free(pointer) } }
    return body(pointers)
}

/// Writes to a pipe with SIGPIPE blocked on the calling thread, so a reader
/// that has gone away shows as EPIPE instead of killing the test process.
enum PipeWriter {
    /// 0 once every byte is written, else the errno that stopped the write.
    static func write(_ bytes: UnsafeRawBufferPointer, to descriptor: Int32) -> Int32 {
        var pipeSignal = sigset_t()
        sigemptyset(&pipeSignal)
        sigaddset(&pipeSignal, SIGPIPE)
        var previous = sigset_t()
        pthread_sigmask(SIG_BLOCK, &pipeSignal, &previous)
        defer { pthread_sigmask(SIG_SETMASK, &previous, nil) }
        var offset = 0
        while offset < bytes.count {
            let written = Glibc.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            if written >= 0 {
                offset += written
                continue
            }
            let failure = errno
            if failure == EINTR { continue }
            if failure == EPIPE, sigismember(&previous, SIGPIPE) == 0 {
                // The SIGPIPE this write raised is pending on this thread: take it before unblocking.
                var now = timespec(tv_sec: 0, tv_nsec: 0)
                _ = sigtimedwait(&pipeSignal, nil, &now)
            }
            return failure
        }
        return 0
    }
}
