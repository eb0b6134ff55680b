import Glibc

/// The `snap/` directory: writes snapshots atomically, finds the newest valid
/// one at recovery, and removes all but the ones still needed.
struct SnapshotStore {
    let directory: String

    /// What recovery found.
    struct Loaded {
        var newest: SnapshotRecord?
        /// The next older snapshot file, by name only (not read).
        var olderIndex: UInt64?
        /// "PATH: reason" for each newer file that failed validation.
        var skipped: [String]
    }

    /// Reads snapshots newest first and returns the first that validates.
    func loadNewest() throws(StorageError) -> Loaded {
        let indices = try FileSystem.listDirectory(directory).compactMap(FileName.snapshotIndex).sorted(by: >)
        var loaded = Loaded(newest: nil, olderIndex: nil, skipped: [])
        for (position, index) in indices.enumerated() {
            let path = FileName.join(directory, FileName.snapshot(index: index))
            let bytes = try FileSystem.readFile(path, maximumBytes: SnapshotFile.fileSizeMaximumBytes)
            switch SnapshotFile.decode(bytes, expectedIndex: index) {
            case let .failure(failure):
                loaded.skipped.append("\(path): \(failure.reason)")
            case let .success(snapshot):
                loaded.newest = snapshot
                loaded.olderIndex = position + 1 < indices.count ? indices[position + 1] : nil
                return loaded
            }
        }
        return loaded
    }

    /// Temp file, fsync, rename, fsync the directory: after a crash the
    /// snapshot is either wholly there under its name or not at all.
    func write(_ snapshot: SnapshotRecord) throws(StorageError) {
        let bytes = try SnapshotFile.encode(snapshot)
        let path = FileName.join(directory, FileName.snapshot(index: snapshot.index))
        let temporaryPath = path + FileName.temporarySuffix
        try removeIfPresent(temporaryPath)
        let descriptor = try FileSystem.createExclusive(temporaryPath)
        do throws(StorageError) {
            try FileSystem.writeAll(descriptor, bytes, at: 0, path: temporaryPath)
            try FileSystem.syncFile(descriptor, path: temporaryPath)
        } catch {
            close(descriptor)
            unlink(temporaryPath)
            throw error
        }
        close(descriptor)
        do throws(StorageError) {
            try FileSystem.rename(temporaryPath, to: path)
        } catch {
            unlink(temporaryPath)
            throw error
        }
        try FileSystem.syncDirectory(directory)
    }

    /// Removes every snapshot not in `keptIndices` and any leftover temp file.
    func prune(keeping keptIndices: Set<UInt64>) throws(StorageError) {
        var removed = false
        for name in try FileSystem.listDirectory(directory) {
            let stale = name.hasSuffix(FileName.temporarySuffix)
                || FileName.snapshotIndex(name).map { !keptIndices.contains($0) } ?? false
            guard stale else { continue }
            try FileSystem.remove(FileName.join(directory, name))
            removed = true
        }
        if removed { try FileSystem.syncDirectory(directory) }
    }

    private func removeIfPresent(_ path: String) throws(StorageError) {
        guard unlink(path) == 0 || errno == ENOENT else {
            throw .writing("unlink", path: path, errno: errno)
        }
    }
}
