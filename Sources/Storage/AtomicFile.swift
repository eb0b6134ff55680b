import Glibc

/// Whole-file replacement that survives a crash at any point: temp file,
/// fsync, rename over the name, fsync the directory. Afterwards the file is
/// either wholly there under its name with the new bytes, or not changed.
enum AtomicFile {
    static func replace(_ path: String, with bytes: [UInt8]) throws(StorageError) {
        let temporaryPath = path + FileName.temporarySuffix
        guard unlink(temporaryPath) == 0 || errno == ENOENT else {
            throw .writing("unlink", path: temporaryPath, errno: errno)
        }
        let descriptor = try StorageFiles.createExclusive(temporaryPath)
        do throws(StorageError) {
            try StorageFiles.writeAll(descriptor, bytes, at: 0, path: temporaryPath)
            try StorageFiles.syncFile(descriptor, path: temporaryPath)
        } catch {
            close(descriptor)
            unlink(temporaryPath)
            throw error
        }
        close(descriptor)
        do throws(StorageError) {
            try StorageFiles.rename(temporaryPath, to: path)
        } catch {
            unlink(temporaryPath)
            throw error
        }
        try StorageFiles.syncDirectory(StorageFiles.parent(of: path))
    }
}
