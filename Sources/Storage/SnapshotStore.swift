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
        let indices = try StorageFiles.listDirectory(directory).compactMap(FileName.snapshotIndex).sorted(by: >)
        var loaded = Loaded(newest: nil, olderIndex: nil, skipped: [])
        for (position, index) in indices.enumerated() {
            let path = FileName.join(directory, FileName.snapshot(index: index))
            let bytes = try StorageFiles.readFile(path, maximumBytes: SnapshotFile.fileSizeMaximumBytes)
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

    /// Atomically (`AtomicFile`): after a crash the snapshot is either wholly
    /// there under its name or not at all.
    func write(_ snapshot: SnapshotRecord) throws(StorageError) {
        try AtomicFile.replace(FileName.join(directory, FileName.snapshot(index: snapshot.index)),
                               with: try SnapshotFile.encode(snapshot))
    }

    /// Removes every snapshot not in `keptIndices` and any leftover temp file.
    func prune(keeping keptIndices: Set<UInt64>) throws(StorageError) {
        var removed = false
        for name in try StorageFiles.listDirectory(directory) {
            let stale = name.hasSuffix(FileName.temporarySuffix)
                || FileName.snapshotIndex(name).map { !keptIndices.contains($0) } ?? false
            guard stale else { continue }
            try StorageFiles.remove(FileName.join(directory, name))
            removed = true
        }
        if removed { try StorageFiles.syncDirectory(directory) }
    }
}
