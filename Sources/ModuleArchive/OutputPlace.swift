import FileSystem
import Glibc

/// Where the packer may write: never inside the directory it packs (`hotswap module pack .`
/// writes into the current directory by default, so a second run would pack the first artifact
/// into the second).
enum OutputPlace {
    /// Directories climbed from the output's parent looking for the packed directory; deeper is not looked at.
    static let levelsMaximum = 1_024

    /// Refuses `output` when its parent is `directory` or lies under it, compared by device and
    /// inode up the parent chain (through descriptors), so another spelling or a link is found too.
    static func checkOutside(_ output: String, directory: String) throws(ModuleArchiveError) {
        var packed = stat()
        guard stat(directory, &packed) == 0 else { throw .file(.system(operation: "stat", path: directory, errno: errno)) }
        let parent = Directory.parent(of: output)
        var current = open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard current >= 0 else { throw .file(.system(operation: "open", path: parent, errno: errno)) }
        defer { close(current) }
        var status = stat()
        for _ in 0..<levelsMaximum {
            guard fstat(current, &status) == 0 else { throw .file(.system(operation: "fstat", path: parent, errno: errno)) }
            if status.st_dev == packed.st_dev && status.st_ino == packed.st_ino {
                throw .unpackable("\(output) is inside \(directory); an artifact is never written into the directory it packs "
                                  + "(give another output path)")
            }
            let above = openat(current, "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            guard above >= 0 else { throw .file(.system(operation: "openat", path: "\(parent)/..", errno: errno)) }
            var aboveStatus = stat()
            let statted = fstat(above, &aboveStatus) == 0
            close(current)
            current = above
            guard statted else { throw .file(.system(operation: "fstat", path: "\(parent)/..", errno: errno)) }
            if aboveStatus.st_dev == status.st_dev && aboveStatus.st_ino == status.st_ino { return }
        }
    }
}
