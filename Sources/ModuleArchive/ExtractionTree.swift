import FileSystem
import Glibc
import Modules

/// Writes checked entries under one directory descriptor, never by path: each directory is
/// opened with `O_DIRECTORY | O_NOFOLLOW` from its parent's descriptor, each file created with
/// `O_CREAT | O_EXCL | O_NOFOLLOW`, so a link the archive made is never followed and nothing
/// outside the directory can be reached. Files are fsync'd when complete; `syncDirectories`
/// fsyncs every directory made.
final class ExtractionTree {
    let root: Int32
    let rootPath: String
    private var file: (descriptor: Int32, path: String)?
    /// The last parent directory opened, kept for the next entry in it (entries come grouped by
    /// directory), so each entry does not reopen every ancestor. A directory once opened is
    /// never replaced: nothing is removed and every name is created with `O_EXCL` or `mkdirat`.
    private var parent: (components: [String], descriptor: Int32)?
    private(set) var directories: [String] = [""]

    init(root: Int32, rootPath: String) {
        self.root = root
        self.rootPath = rootPath
    }

    deinit {
        if let file { close(file.descriptor) }
        if let parent { close(parent.descriptor) }
    }

    func apply(_ event: TarEvent) throws(ModuleArchiveError) {
        switch event {
        case let .entry(entry):
            try closeFile()
            try create(entry)
        case let .data(bytes):
            guard let file else { return }
            do { try DescriptorIO.writeAll(file.descriptor, bytes, path: file.path) } catch { throw .file(error) }
        case .end:
            try closeFile()
        }
    }

    private func create(_ entry: TarEntry) throws(ModuleArchiveError) {
        let components = try Self.components(entry.path)
        let parent = try parentDirectory(components.dropLast())
        let name = components[components.count - 1]
        let path = "\(rootPath)/\(entry.path)"
        switch entry.kind {
        case .directory:
            let made = try makeDirectory(name, in: parent, path: entry.path)
            if made >= 0 { close(made) }
        case let .symlink(target):
            guard symlinkat(target, parent, name) == 0 else { throw .file(.system(operation: "symlinkat", path: path, errno: errno)) }
        case .file:
            let descriptor = openat(parent, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
            guard descriptor >= 0 else { throw .file(.system(operation: "openat", path: path, errno: errno)) }
            file = (descriptor, path)
            guard fchmod(descriptor, mode_t(entry.mode)) == 0 else { throw .file(.system(operation: "fchmod", path: path, errno: errno)) }
        }
    }

    /// `path` split on the byte '/', as the kernel splits it. A defence below the reader's
    /// checks: a path that is empty or absolute, or has an empty, `.` or `..` component or a NUL
    /// byte, is refused as the reader would refuse it, so no name given to `openat` can leave the root.
    static func components(_ path: String) throws(ModuleArchiveError) -> [String] {
        let slash = UInt8(ascii: "/")
        let bytes = Array(path.utf8)
        guard !bytes.isEmpty else { throw .refused(.archive(.oddPath(path, reason: "an empty path"))) }
        guard bytes[0] != slash else { throw .refused(.archive(.absolutePath(path))) }
        var components: [String] = []
        for component in bytes.split(separator: slash, omittingEmptySubsequences: false) {
            if component.elementsEqual([0x2E, 0x2E]) { throw .refused(.archive(.parentComponent(path))) }
            if component.isEmpty { throw .refused(.archive(.oddPath(path, reason: "an empty component"))) }
            if component.elementsEqual([0x2E]) { throw .refused(.archive(.oddPath(path, reason: "a '.' component"))) }
            if component.contains(0) { throw .refused(.archive(.oddPath(path, reason: "a control character"))) }
            components.append(String(decoding: component, as: UTF8.self))
        }
        return components
    }

    /// The descriptor of the directory `components` names (kept: the caller does not close it).
    private func parentDirectory(_ components: ArraySlice<String>) throws(ModuleArchiveError) -> Int32 {
        if components.isEmpty { return root }
        if let parent, parent.components.elementsEqual(components) { return parent.descriptor }
        let opened = try openDirectory(components)
        if let parent { close(parent.descriptor) }
        parent = (Array(components), opened)
        return opened
    }

    /// The descriptor of the directory `components` names under the root, made where missing.
    private func openDirectory(_ components: ArraySlice<String>) throws(ModuleArchiveError) -> Int32 {
        var current = root
        var path = ""
        for component in components {
            path += path.isEmpty ? component : "/" + component
            let next = try makeDirectory(component, in: current, path: path)
            if current != root { close(current) }
            current = next
        }
        return current
    }

    /// Opens directory `name` in `parent`, making it (0755) when it is not there.
    private func makeDirectory(_ name: String, in parent: Int32, path: String) throws(ModuleArchiveError) -> Int32 {
        let flags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC
        var descriptor = openat(parent, name, flags)
        if descriptor < 0, errno == ENOENT {
            guard mkdirat(parent, name, 0o700) == 0 else {
                throw .file(.system(operation: "mkdirat", path: "\(rootPath)/\(path)", errno: errno))
            }
            directories.append(path)
            descriptor = openat(parent, name, flags)
            if descriptor >= 0, fchmod(descriptor, 0o755) != 0 {
                let code = errno
                close(descriptor)
                throw .file(.system(operation: "fchmod", path: "\(rootPath)/\(path)", errno: code))
            }
        }
        guard descriptor >= 0 else { throw .file(.system(operation: "openat", path: "\(rootPath)/\(path)", errno: errno)) }
        return descriptor
    }

    private func closeFile() throws(ModuleArchiveError) {
        guard let file else { return }
        self.file = nil
        let synced = fsync(file.descriptor) == 0 ? 0 : errno
        close(file.descriptor)
        guard synced == 0 else { throw .file(.system(operation: "fsync", path: file.path, errno: synced)) }
    }

    /// fsyncs every directory made (the root last), so the entries in them are durable.
    func syncDirectories() throws(ModuleArchiveError) {
        for path in directories.reversed() {
            let descriptor = path.isEmpty ? dup(root) : try openDirectory(Self.components(path)[...])
            let synced = fsync(descriptor) == 0 ? 0 : errno
            close(descriptor)
            guard synced == 0 else { throw .file(.system(operation: "fsync", path: "\(rootPath)/\(path)", errno: synced)) }
        }
    }
}
