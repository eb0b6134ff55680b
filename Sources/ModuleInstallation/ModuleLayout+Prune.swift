import FileSystem
import Glibc
import ModuleArchive

/// Retention on disk: what is no longer kept is renamed to a hidden name first (durably), then
/// removed through descriptors, so a crash mid-removal leaves no half version under a version name.
extension ModuleLayout {
    /// Removes every version directory not in `keeping`, and never the one `current` points at;
    /// a link inside is never followed (`TreeRemoval`), nor a `versions` that is a link.
    public func prune(keeping: Set<String>) throws(InstallationError) -> Pruned {
        let rootDescriptor = try openRoot()
        defer { close(rootDescriptor) }
        let current = try currentVersion(in: rootDescriptor)
        let versions = try openVersions(rootDescriptor)
        defer { close(versions) }
        var pruned = Pruned()
        for name in try Self.names(in: versions, path: versionsDirectory) where !name.hasPrefix(".") {
            guard Self.isVersion(name) else {
                pruned.unexpected.append(name)
                continue
            }
            if keeping.contains(name) || name == current { continue }
            var status = stat()
            guard fstatat(versions, name, &status, AT_SYMLINK_NOFOLLOW) == 0 else {
                throw .file(.system(operation: "lstat", path: versionDirectory(name), errno: errno))
            }
            guard status.st_mode & S_IFMT == S_IFDIR else {
                pruned.unexpected.append(name)
                continue
            }
            let hidden = try hide(name, in: versions)
            do { try TreeRemoval.remove(hidden, in: versions, path: "\(versionsDirectory)/\(hidden)") } catch { throw .file(error) }
            pruned.removed.append(name)
        }
        if !pruned.removed.isEmpty { try Self.sync(versions, path: versionsDirectory) }
        return pruned
    }
}
