import FileSystem
import ModuleArchive
import Storage

/// Why a module's directory on a host could not be read or changed: one sentence naming the path.
public enum InstallationError: Error, Equatable, Sendable, CustomStringConvertible {
    case file(FileError)
    case storage(StorageError)
    case archive(ModuleArchiveError)
    /// The state file fails its checksum or does not decode.
    case stateCorrupt(path: String, reason: String)
    /// The unpacked manifest names another module or version than its directory.
    case manifestMismatch(path: String, expected: String, found: String)
    /// The version is not on disk and no artifact was given to unpack.
    case noArtifact(module: String, version: String)
    /// `current` is something HotSwap did not make: not a link, or a link outside `versions/`.
    case foreignCurrent(path: String, what: String)
    /// Something other than a directory is where a version directory belongs.
    case foreignVersion(path: String, kind: FileKind)
    /// A version the state names is not on disk.
    case missingVersion(path: String)
    case invalidName(String)
    case tooManyModules(directory: String, maximum: Int)
    /// The module's directory or its `versions/` is a link or not a directory: never followed.
    case linkedDirectory(path: String)
    /// An artifact was given without the sha256 it must have.
    case noDigest(module: String, version: String)
    /// A version directory records no sha256: not one HotSwap completed.
    case incompleteVersion(path: String)
    /// A version on disk was unpacked from other bytes than the command expects.
    case versionDigestMismatch(path: String, expected: String, found: String)
    /// A manifest's port moved by the host's module port offset is past 65535.
    case portOutOfRange(path: String, field: String, port: Int, offset: Int)
    /// A setting of the installer is out of its range.
    case invalidSetting(String)
    /// The install core asked for more steps than any path takes (a bug, reported rather than trapped on).
    case tooManySteps(maximum: Int)

    public var description: String {
        switch self {
        case let .file(error): error.description
        case let .storage(error): error.description
        case let .archive(error): error.description
        case let .stateCorrupt(path, reason):
            "the install state \(path) is corrupt: \(reason); refusing to guess which version runs (move it away and install again)"
        case let .manifestMismatch(path, expected, found): "\(path) holds \(found), not \(expected)"
        case let .noArtifact(module, version): "\(module) \(version) is not on this host and no artifact was given to unpack"
        case let .foreignCurrent(path, what):
            "\(path) \(what); HotSwap makes it only as a link to versions/VERSION and will not replace it: remove it and restart"
        case let .foreignVersion(path, kind): "\(path) is \(kind), not a version directory HotSwap unpacked: remove it"
        case let .missingVersion(path): "\(path) is missing, though the install state names it"
        case let .invalidName(reason): reason
        case let .tooManyModules(directory, maximum): "\(directory) already holds \(maximum) modules, the most one host runs"
        case let .linkedDirectory(path):
            "\(path) is a symbolic link or not a directory; HotSwap makes it as a directory and will not follow it"
        case let .noDigest(module, version): "\(module) \(version): an artifact to unpack needs the sha256 it must have"
        case let .incompleteVersion(path): "\(path) records no artifact sha256, so HotSwap did not complete it: remove it"
        case let .versionDigestMismatch(path, expected, found):
            "\(path) was unpacked from an artifact of sha256 \(found), not the expected \(expected): remove it to unpack the new one"
        case let .portOutOfRange(path, field, port, offset):
            "\(path): its \(field) \(port) moved by this host's module port offset \(offset) is \(port + offset), past 65535"
        case let .invalidSetting(reason): reason
        case let .tooManySteps(maximum): "the install core took more than \(maximum) steps; the install state on disk is where it stopped"
        }
    }
}
