/// One entry of a module archive as the reader yields it: a relative, normalized path (no
/// leading `./`, no trailing `/`, no empty, `.` or `..` component) and what it is. Modes are
/// reduced to what a module needs: a file is executable (0755) or not (0644); directories are 0755.
public struct TarEntry: Equatable, Sendable {
    public enum Kind: Equatable, Sendable {
        case file(size: Int64, executable: Bool)
        case directory
        /// The target as written (relative, checked to stay inside the module directory).
        case symlink(target: String)
    }

    public var path: String
    public var kind: Kind

    public init(path: String, kind: Kind) {
        self.path = path
        self.kind = kind
    }

    /// The permission bits the entry is written and extracted with.
    public var mode: UInt32 {
        switch kind {
        case let .file(_, executable): executable ? 0o755 : 0o644
        case .directory: 0o755
        case .symlink: 0o777
        }
    }
}
