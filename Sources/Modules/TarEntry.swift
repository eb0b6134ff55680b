/// One entry of a module archive as the reader yields it: a relative, normalized path (no
/// leading `./`, no trailing `/`, no empty, `.` or `..` component) and what it is. Modes are
/// reduced to what a module needs: a file is executable (0755) or not (0644); directories are 0755.
/// A private entry (a debug bundle's) is for its owner alone: files 0600 (0700), directories 0700.
public struct TarEntry: Equatable, Sendable {
    public enum Kind: Equatable, Sendable {
        case file(size: Int64, executable: Bool)
        case directory
        /// The target as written (relative, checked to stay inside the module directory).
        case symlink(target: String)
    }

    public var path: String
    public var kind: Kind
    /// Readable by its owner alone; a module's entries never are (the reader never sets it).
    public var isPrivate: Bool

    public init(path: String, kind: Kind, isPrivate: Bool = false) {
        self.path = path
        self.kind = kind
        self.isPrivate = isPrivate
    }

    /// The permission bits the entry is written and extracted with.
    public var mode: UInt32 {
        switch kind {
        case let .file(_, executable): (executable ? 0o755 : 0o644) & (isPrivate ? 0o700 : 0o777)
        case .directory: isPrivate ? 0o700 : 0o755
        case .symlink: 0o777
        }
    }
}
