import FileSystem
import Glibc
import Modules

/// `current`: a relative link `versions/VERSION`, replaced atomically (a new link made under a
/// temporary name, renamed over `current`, the directory fsync'd), so it always names a whole
/// version, the old one or the new one.
extension ModuleLayout {
    /// The link's target bytes allowed, with room to spare over `versions/` and a 64-byte version.
    static let linkBytesMaximum = 256

    /// The version `current` points at; nil when there is no `current`. Anything else than a
    /// link to `versions/VERSION` is `foreignCurrent`: never followed, never replaced.
    public func currentVersion() throws(InstallationError) -> String? {
        let rootDescriptor = try openRoot()
        defer { close(rootDescriptor) }
        return try currentVersion(in: rootDescriptor)
    }

    func currentVersion(in rootDescriptor: Int32) throws(InstallationError) -> String? {
        var buffer = [CChar](repeating: 0, count: Self.linkBytesMaximum + 1)
        let count = readlinkat(rootDescriptor, Self.currentName, &buffer, buffer.count)
        guard count >= 0 else {
            switch errno {
            case ENOENT: return nil
            case EINVAL: throw .foreignCurrent(path: currentPath, what: "is not a symbolic link")
            case let code: throw .file(.system(operation: "readlink", path: currentPath, errno: code))
            }
        }
        let target = String(decoding: buffer.prefix(count).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let prefix = "\(Self.versionsName)/"
        guard count <= Self.linkBytesMaximum, target.hasPrefix(prefix) else {
            throw .foreignCurrent(path: currentPath, what: "points to \(target.prefix(Self.linkBytesMaximum)), outside versions/")
        }
        let version = String(target.dropFirst(prefix.count))
        do { try ModuleManifest.checkVersion(version) } catch {
            throw .foreignCurrent(path: currentPath, what: "points to \(target), not to a version in versions/")
        }
        return version
    }

    /// Points `current` at `version` (which must be unpacked), or removes it for nil; durable on
    /// return. A `current` HotSwap did not make is refused, never replaced nor removed.
    public func link(_ version: String?) throws(InstallationError) {
        let rootDescriptor = try openRoot()
        defer { close(rootDescriptor) }
        guard let version else {
            guard try currentVersion(in: rootDescriptor) != nil else { return }
            guard unlinkat(rootDescriptor, Self.currentName, 0) == 0 || errno == ENOENT else {
                throw .file(.system(operation: "unlink", path: currentPath, errno: errno))
            }
            try Self.sync(rootDescriptor, path: root)
            return
        }
        var status = stat()
        guard fstatat(rootDescriptor, "\(Self.versionsName)/\(version)", &status, AT_SYMLINK_NOFOLLOW) == 0,
              status.st_mode & S_IFMT == S_IFDIR
        else { throw .missingVersion(path: versionDirectory(version)) }
        _ = try currentVersion(in: rootDescriptor)
        let next = "\(root)/\(Self.nextCurrentName)"
        guard unlinkat(rootDescriptor, Self.nextCurrentName, 0) == 0 || errno == ENOENT else {
            throw .file(.system(operation: "unlink", path: next, errno: errno))
        }
        guard symlinkat("\(Self.versionsName)/\(version)", rootDescriptor, Self.nextCurrentName) == 0 else {
            throw .file(.system(operation: "symlink", path: next, errno: errno))
        }
        guard renameat(rootDescriptor, Self.nextCurrentName, rootDescriptor, Self.currentName) == 0 else {
            let code = errno
            unlinkat(rootDescriptor, Self.nextCurrentName, 0)
            throw .file(.system(operation: "rename to \(currentPath)", path: next, errno: code))
        }
        try Self.sync(rootDescriptor, path: root)
    }
}
