import FileSystem
import Glibc
import HostInstall
import ModuleArchive

/// What the agent does with a module's directory before it acts on the record after a start:
/// remove what a crash left (a hidden unpack or prune directory, a half-made `current` link), refuse a
/// `current` HotSwap did not make, and point `current` where the record says it must be.
extension ModuleLayout {
    /// What an inspection found and did.
    public struct Inspection: Equatable, Sendable {
        /// The record read (nil: nothing installed yet).
        public var record: InstallRecord?
        /// Hidden unpack directories and link names removed.
        public var leftoversRemoved: [String] = []
        /// How `current` was corrected, if it disagreed with the record.
        public var correctedCurrent: CurrentCorrection?

        public init(record: InstallRecord?, leftoversRemoved: [String] = [], correctedCurrent: CurrentCorrection? = nil) {
            self.record = record
            self.leftoversRemoved = leftoversRemoved
            self.correctedCurrent = correctedCurrent
        }
    }

    /// `current` pointed at `from` (nil: there was none) and now points at `to` (nil: removed).
    public struct CurrentCorrection: Equatable, Sendable {
        public var from: String?
        public var to: String?

        public init(from: String?, to: String?) {
            self.from = from
            self.to = to
        }
    }

    /// Reads the record, removes crash leftovers, and makes `current` agree with
    /// `record.expectedCurrent` (the core's recovery rule: the previous version before the
    /// commit point, the target past it). That version missing from disk, or a `current`
    /// HotSwap did not make, is an error: nothing is guessed. (A target not yet unpacked, or a
    /// retained version gone, is not: recovery never needs the one, a switch back to the other fails.)
    public func inspect() throws(InstallationError) -> Inspection {
        try prepare()
        var inspection = Inspection(record: try readState())
        let rootDescriptor = try openRoot()
        defer { close(rootDescriptor) }
        let versions = try openVersions(rootDescriptor)
        defer { close(versions) }
        for name in try Self.names(in: versions, path: versionsDirectory) where Self.isLeftover(name) {
            do { try TreeRemoval.remove(name, in: versions, path: "\(versionsDirectory)/\(name)") } catch { throw .file(error) }
            inspection.leftoversRemoved.append("\(Self.versionsName)/\(name)")
        }
        if unlinkat(rootDescriptor, Self.nextCurrentName, 0) == 0 {
            inspection.leftoversRemoved.append(Self.nextCurrentName)
        } else if errno != ENOENT {
            throw .file(.system(operation: "unlink", path: "\(root)/\(Self.nextCurrentName)", errno: errno))
        }
        if !inspection.leftoversRemoved.isEmpty {
            try Self.sync(versions, path: versionsDirectory)
            try Self.sync(rootDescriptor, path: root)
        }
        let found = try currentVersion(in: rootDescriptor)
        let expected = inspection.record?.expectedCurrent
        if found != expected {
            try link(expected)
            inspection.correctedCurrent = CurrentCorrection(from: found, to: expected)
        }
        if let expected {
            var status = stat()
            guard fstatat(rootDescriptor, "\(Self.versionsName)/\(expected)", &status, AT_SYMLINK_NOFOLLOW) == 0,
                  status.st_mode & S_IFMT == S_IFDIR
            else { throw .missingVersion(path: versionDirectory(expected)) }
        }
        return inspection
    }
}
