import Glibc

/// Runs a program as a real child process and returns its exit status.
enum ChildProcess {
    static func run(_ arguments: [String]) throws -> Int32 {
        var pid: pid_t = 0
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        let spawned = posix_spawnp(&pid, arguments[0], nil, nil, &argv, environ)
        guard spawned == 0 else { throw Failure("posix_spawnp \(arguments[0]): \(spawned)") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else { throw Failure("waitpid: errno \(errno)") }
        }
        guard status & 0x7F == 0 else { throw Failure("\(arguments[0]) died from signal \(status & 0x7F)") }
        return (status >> 8) & 0xFF
    }
}
