import FileSystem

/// An exclusive `flock` on `DIR/LOCK`, so that two processes can never use
/// one data directory at once (a shared `FileLock`: it records the holder's
/// pid for the error the next contender gets, and a crash never leaves it
/// stale).
public final class DataDirectoryLock: Sendable {
    public let directory: String
    private let lock: FileLock

    private init(directory: String, lock: FileLock) {
        self.directory = directory
        self.lock = lock
    }

    /// Takes the lock without waiting; refuses with `.locked` naming the
    /// holder's pid if anyone (another process, or another acquire in this
    /// one) has it. Creates the directory if missing.
    public static func acquire(directory: String) throws(StorageError) -> DataDirectoryLock {
        try StorageFiles.makeDirectory(directory)
        let path = FileName.join(directory, FileName.lock)
        do {
            return DataDirectoryLock(directory: directory, lock: try FileLock.acquire(path))
        } catch let .locked(_, holderPid) {
            throw .locked(directory: directory, holder: StorageError.holder(holderPid))
        } catch {
            throw StorageError(error, writing: true)
        }
    }

    /// Releases the lock; calling it again does nothing.
    public func release() {
        lock.release()
    }
}
