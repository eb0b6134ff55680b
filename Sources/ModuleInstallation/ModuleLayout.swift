import FileSystem
import Glibc
import HostInstall
import Modules
import Storage

/// One module's directory on a host (Docs/MODULES.md, "Installing on a host"):
/// `modules/NAME/versions/VERSION/` for each unpacked version, `current` (a relative link to
/// `versions/VERSION`, switched atomically) and `install-state` (the `InstallRecord`, written
/// atomically and fsync'd before every step).
public struct ModuleLayout: Sendable {
    public static let versionsName = "versions"
    public static let currentName = "current"
    public static let stateName = "install-state"
    /// The name a new `current` link is made under before it is renamed over `current`.
    static let nextCurrentName = ".current.next"
    /// Entries listed in `versions/` before refusing: a few kept versions and leftovers.
    static let versionEntriesMaximum = 1_024
    static let directoryMode: mode_t = 0o700

    public let module: String
    /// `modules/NAME`.
    public let root: String
    /// Added to every port a manifest read here declares (`ModuleLayout+PortOffset.swift`).
    public let portOffset: Int

    /// The layout of `module` under `modulesDirectory`; the name follows the manifest's rule, and
    /// `portOffset` must be in `portOffsets`.
    public init(modulesDirectory: String, module: String, portOffset: Int = 0) throws(InstallationError) {
        do { try ModuleManifest.checkName(module) } catch { throw .invalidName(error.description) }
        guard Self.portOffsets.contains(portOffset) else {
            throw .invalidSetting("the module port offset \(portOffset) is not \(Self.portOffsets.lowerBound) to "
                                  + "\(Self.portOffsets.upperBound)")
        }
        self.module = module
        root = "\(modulesDirectory)/\(module)"
        self.portOffset = portOffset
    }

    public var versionsDirectory: String { "\(root)/\(Self.versionsName)" }
    public var currentPath: String { "\(root)/\(Self.currentName)" }
    public var statePath: String { "\(root)/\(Self.stateName)" }

    public func versionDirectory(_ version: String) -> String { "\(versionsDirectory)/\(version)" }

    /// Makes `modules/NAME/` and its `versions/` when missing (each new one's parent fsync'd);
    /// either one being a link (or not a directory) is `linkedDirectory`, never followed.
    public func prepare() throws(InstallationError) {
        do {
            _ = try Directory.ensure(root, mode: Self.directoryMode, syncingParent: true)
        } catch {
            throw .file(error)
        }
        let rootDescriptor = try openRoot()
        defer { close(rootDescriptor) }
        if mkdirat(rootDescriptor, Self.versionsName, Self.directoryMode) == 0 {
            try Self.sync(rootDescriptor, path: root)
        } else if errno != EEXIST {
            throw .file(.system(operation: "mkdir", path: versionsDirectory, errno: errno))
        }
        close(try openVersions(rootDescriptor))
    }

    /// The record on disk; nil when there is none yet. A checksum or decoding failure is
    /// `stateCorrupt`, never read as no record.
    public func readState() throws(InstallationError) -> InstallRecord? {
        let payload: [UInt8]?
        do {
            payload = try ChecksummedFile.read(statePath)
        } catch let .corruptFile(path, reason) {
            throw .stateCorrupt(path: path, reason: reason)
        } catch {
            throw .storage(error)
        }
        guard let payload else { return nil }
        let record: InstallRecord
        do { record = try InstallRecordCodec.decode(payload) } catch { throw .stateCorrupt(path: statePath, reason: error.description) }
        guard record.module == module else {
            throw .stateCorrupt(path: statePath, reason: "it is the state of module \(record.module)")
        }
        return record
    }

    /// Replaces the record on disk: temporary file, fsync, rename, fsync of the directory.
    public func writeState(_ record: InstallRecord) throws(InstallationError) {
        precondition(record.module == module, "a record of \(record.module) written for \(module)")
        do { try ChecksummedFile.write(InstallRecordCodec.encode(record), to: statePath) } catch { throw .storage(error) }
    }

    /// Opens `root` as a directory without following a link in its last component.
    func openRoot() throws(InstallationError) -> Int32 {
        try Self.openDirectory(root)
    }

    static func openDirectory(_ path: String) throws(InstallationError) -> Int32 {
        let descriptor = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard descriptor >= 0 else {
            if errno == ELOOP || errno == ENOTDIR { throw .linkedDirectory(path: path) }
            throw .file(.system(operation: "open directory", path: path, errno: errno))
        }
        return descriptor
    }

    static func sync(_ descriptor: Int32, path: String) throws(InstallationError) {
        guard fsync(descriptor) == 0 else { throw .file(.system(operation: "fsync", path: path, errno: errno)) }
    }
}
