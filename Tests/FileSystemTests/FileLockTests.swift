import FileSystem
import Glibc
import Testing
import TestSupport

struct FileLockTests {
    /// A second open file description in this process contends like another process would.
    @Test func aSecondAcquireIsRefusedNamingThisProcessAsHolder() throws {
        let scratch = TemporaryDirectory()
        defer { scratch.remove() }
        let path = scratch.file("LOCK")
        let lock = try FileLock.acquire(path)
        defer { lock.release() }
        #expect(throws: FileError.locked(path: path, holderPid: getpid())) { try FileLock.acquire(path) }
        #expect(try FileReader.read(path, maximumBytes: 64) == Array("\(getpid())\n".utf8))
    }

    @Test func releaseIsIdempotentAndLetsTheNextAcquireSucceed() throws {
        let scratch = TemporaryDirectory()
        defer { scratch.remove() }
        let path = scratch.file("LOCK")
        let first = try FileLock.acquire(path)
        first.release()
        first.release()
        let second = try FileLock.acquire(path)
        second.release()
    }

    @Test func aLockHeldByAnotherProcessIsRefusedNamingThePidItRecorded() throws {
        try Prerequisite.require(access("/usr/bin/flock", X_OK) == 0,
                                 "/usr/bin/flock (Debian util-linux) is not installed, so there is no other process to hold the lock")
        let scratch = TemporaryDirectory()
        defer { scratch.remove() }
        let path = scratch.file("LOCK")
        let ready = scratch.file("ready")
        // flock(1) holds the lock on its own descriptor; the shell it starts
        // records its pid in the lock file, then in `ready` to say so.
        let script = "echo $$ > \(path); echo $$ > \(ready).tmp; mv \(ready).tmp \(ready); exec sleep 30"
        let child = try spawn(["/usr/bin/flock", "--nonblock", path, "/bin/sh", "-c", script])
        defer {
            kill(child, SIGKILL)
            var status: Int32 = 0
            waitpid(child, &status, 0)
        }
        var waited = 0
        while access(ready, F_OK) != 0 && waited < 1_000 {
            usleep(10_000)
            waited += 1
        }
        #expect(access(ready, F_OK) == 0, "the child never took the lock")
        let shell = Int32(String(decoding: try FileReader.read(ready, maximumBytes: 64), as: UTF8.self).dropLast())
        #expect(shell != nil && shell != getpid())
        #expect(throws: FileError.locked(path: path, holderPid: shell)) { try FileLock.acquire(path) }
    }

    @Test func aLockFileThatIsASymbolicLinkIsRefused() throws {
        let scratch = TemporaryDirectory()
        defer { scratch.remove() }
        let path = scratch.file("LOCK")
        #expect(symlink(scratch.file("elsewhere"), path) == 0)
        #expect(throws: FileError.system(operation: "open", path: path, errno: ELOOP)) { try FileLock.acquire(path) }
    }

    @Test func aLockInAMissingDirectoryFailsAtItsOpen() {
        #expect(throws: FileError.system(operation: "open", path: "/nonexistent-hotswap-dir/LOCK", errno: ENOENT)) {
            try FileLock.acquire("/nonexistent-hotswap-dir/LOCK")
        }
    }

    private func spawn(_ arguments: [String]) throws -> pid_t {
        let vector = arguments.map { strdup($0) } + [nil]
        defer { vector.forEach { free($0) } }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, arguments[0], nil, nil, vector, environ)
        guard result == 0 else { throw FileError.system(operation: "posix_spawn", path: arguments[0], errno: result) }
        return pid
    }
}
