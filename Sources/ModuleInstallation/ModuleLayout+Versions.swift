import FileSystem
import Glibc
import ModuleArchive
import Modules

/// `versions/VERSION/`: unpacked once (`ModuleExtractor`, with the expected sha256), reused when
/// already complete, removed through descriptors when no longer kept.
extension ModuleLayout {
    /// What `prune` did: the versions it removed, and names in `versions/` it left alone because
    /// HotSwap did not make them (a link, a file, a name that is not a version).
    public struct Pruned: Equatable, Sendable {
        public var removed: [String]
        public var unexpected: [String]

        public init(removed: [String] = [], unexpected: [String] = []) {
            self.removed = removed
            self.unexpected = unexpected
        }
    }

    /// Makes `versions/VERSION/` hold the module: an existing directory is complete (an unpack
    /// appears only by its final rename) and reused; otherwise `artifact` is unpacked there,
    /// refused unless its sha256 is `expectedSHA256`. Returns the version's manifest, whose name
    /// and version must be this directory's.
    public func unpack(_ version: String, artifact: String?, expectedSHA256: ArtifactDigest?,
                       limits: ArchiveLimits = ArchiveLimits()) throws(InstallationError) -> ModuleManifest {
        do { try ModuleManifest.checkVersion(version) } catch { throw .invalidName(error.description) }
        let directory = versionDirectory(version)
        var status = stat()
        if lstat(directory, &status) == 0 {
            guard status.st_mode & S_IFMT == S_IFDIR else {
                throw .foreignVersion(path: directory, kind: FileKind(mode: status.st_mode))
            }
            return try manifest(of: version)
        }
        guard errno == ENOENT else { throw .file(.system(operation: "lstat", path: directory, errno: errno)) }
        guard let artifact else { throw .noArtifact(module: module, version: version) }
        let result: ModuleExtractor.Result
        do {
            result = try ModuleExtractor.extract(artifact: artifact, into: directory, expectedSHA256: expectedSHA256?.bytes, limits: limits)
        } catch {
            throw .archive(error)
        }
        do {
            try check(result.manifest, version: version)
        } catch {
            do { try TreeRemoval.remove(directory) } catch let cleanup { throw .file(cleanup) }
            throw error
        }
        return result.manifest
    }

    /// The manifest in `versions/VERSION/`, read without following a link.
    public func manifest(of version: String) throws(InstallationError) -> ModuleManifest {
        let path = "\(versionDirectory(version))/\(ModuleFormat.manifestPath)"
        let bytes: [UInt8]
        do { bytes = try FileReader.read(path, maximumBytes: ManifestLimits.bytesMaximum, followingSymlinks: false) } catch {
            throw .file(error)
        }
        let manifest: ModuleManifest
        do { manifest = try ModuleManifest.decode(bytes) } catch { throw .stateCorrupt(path: path, reason: error.description) }
        try check(manifest, version: version)
        return manifest
    }

    private func check(_ manifest: ModuleManifest, version: String) throws(InstallationError) {
        guard manifest.name == module, manifest.version == version else {
            throw .manifestMismatch(path: versionDirectory(version), expected: "\(module) \(version)",
                                    found: "\(manifest.name) \(manifest.version)")
        }
    }

    /// Removes every version directory not in `keeping`, and never the one `current` points at;
    /// directories are removed through descriptors (`TreeRemoval`), so a link inside is never followed.
    public func prune(keeping: Set<String>) throws(InstallationError) -> Pruned {
        let current = try currentVersion()
        var pruned = Pruned()
        for name in try versionNames() where !name.hasPrefix(".") {
            guard Self.isVersion(name) else {
                pruned.unexpected.append(name)
                continue
            }
            if keeping.contains(name) || name == current { continue }
            var status = stat()
            guard lstat(versionDirectory(name), &status) == 0 else {
                throw .file(.system(operation: "lstat", path: versionDirectory(name), errno: errno))
            }
            guard status.st_mode & S_IFMT == S_IFDIR else {
                pruned.unexpected.append(name)
                continue
            }
            do { try TreeRemoval.remove(versionDirectory(name)) } catch { throw .file(error) }
            pruned.removed.append(name)
        }
        if !pruned.removed.isEmpty {
            do { try Directory.sync(versionsDirectory) } catch { throw .file(error) }
        }
        return pruned
    }

    static func isVersion(_ name: String) -> Bool {
        do {
            try ModuleManifest.checkVersion(name)
            return true
        } catch {
            return false
        }
    }

    /// The names in `versions/`, sorted, bounded.
    func versionNames() throws(InstallationError) -> [String] {
        do {
            return try DirectoryListing.names(in: versionsDirectory, maximumEntries: Self.versionEntriesMaximum).sorted()
        } catch {
            throw .file(error)
        }
    }
}
