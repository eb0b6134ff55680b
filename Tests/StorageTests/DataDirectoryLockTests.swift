import Glibc
import Storage
import Testing
import TestSupport

struct DataDirectoryLockTests {
    @Test func secondAcquireOfTheSameDirectoryIsRefusedNamingTheHolderPid() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let lock = try DataDirectoryLock.acquire(directory: directory.path)
        defer { lock.release() }
        #expect(throws: StorageError.locked(directory: directory.path, holder: "pid \(getpid())")) {
            try DataDirectoryLock.acquire(directory: directory.path)
        }
    }

    @Test func releaseLetsTheNextAcquireSucceed() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let first = try DataDirectoryLock.acquire(directory: directory.path)
        first.release()
        first.release()
        let second = try DataDirectoryLock.acquire(directory: directory.path)
        second.release()
    }

    @Test func anotherProcessCannotTakeTheLockWhileItIsHeld() throws {
        let flock = "/usr/bin/flock"
        try Prerequisite.require(Files.exists(flock),
                                 "\(flock) (Debian util-linux) is not installed, so there is no outside process to contend with")
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let conflictStatus: Int32 = 99
        let contend = [flock, "--nonblock", "--conflict-exit-code", String(conflictStatus), directory.file("LOCK"), "true"]

        let lock = try DataDirectoryLock.acquire(directory: directory.path)
        #expect(try ExternalCommand.run(contend).status == conflictStatus)
        lock.release()
        #expect(try ExternalCommand.run(contend).status == 0)
    }

    @Test func lockedMessageTellsTheOperatorWhatToDo() {
        let text = StorageError.locked(directory: "/var/lib/hotswap", holder: "pid 4242").description
        #expect(text.contains("/var/lib/hotswap") && text.contains("pid 4242"))
    }
}
