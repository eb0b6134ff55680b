import FileSystem
import Glibc
import ModuleArchive
import Modules

/// `versions/VERSION/`: unpacked once (`ModuleExtractor`, with the expected sha256) into a hidden
/// directory where its manifest is checked and its sha256 recorded, then renamed into place;
/// reused when complete and of the same sha256; hidden, then removed, when no longer kept.
extension ModuleLayout {
    /// The file in each version directory holding the sha256 (64 hex digits) it was unpacked from.
    public static let digestName = ".hotswap-artifact-sha256"

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

    /// Makes `versions/VERSION/` hold the module. An existing directory is reused when it records
    /// a sha256 (written last before its rename, so it is complete) that is `expectedSHA256` (any,
    /// when nil: a switch back names no artifact); otherwise `artifact` (whose sha256 must be
    /// `expectedSHA256`) is unpacked there. Returns the version's manifest, whose name and version
    /// must be this directory's.
    public func unpack(_ version: String, artifact: String?, expectedSHA256: ArtifactDigest?,
                       limits: ArchiveLimits = ArchiveLimits()) throws(InstallationError) -> ModuleManifest {
        do { try ModuleManifest.checkVersion(version) } catch { throw .invalidName(error.description) }
        let rootDescriptor = try openRoot()
        defer { close(rootDescriptor) }
        let versions = try openVersions(rootDescriptor)
        defer { close(versions) }
        var status = stat()
        if fstatat(versions, version, &status, AT_SYMLINK_NOFOLLOW) == 0 {
            guard status.st_mode & S_IFMT == S_IFDIR else {
                throw .foreignVersion(path: versionDirectory(version), kind: FileKind(mode: status.st_mode))
            }
            let recorded = try digest(of: version, in: versions)
            if let expectedSHA256, recorded != expectedSHA256 {
                throw .versionDigestMismatch(path: versionDirectory(version), expected: expectedSHA256.hex, found: recorded.hex)
            }
            return try manifest(of: version, named: version, in: versions)
        }
        guard errno == ENOENT else { throw .file(.system(operation: "lstat", path: versionDirectory(version), errno: errno)) }
        guard let artifact, let expectedSHA256 else {
            throw artifact == nil ? .noArtifact(module: module, version: version) : .noDigest(module: module, version: version)
        }
        let staging = ".\(version).unpacking-checked"
        let stagingPath = "\(versionsDirectory)/\(staging)"
        do { try TreeRemoval.remove(staging, in: versions, path: stagingPath) } catch { throw .file(error) }
        do {
            _ = try ModuleExtractor.extract(artifact: artifact, into: stagingPath, expectedSHA256: expectedSHA256.bytes, limits: limits)
        } catch {
            throw .archive(error)
        }
        do throws(InstallationError) {
            let manifest = try manifest(of: version, named: staging, in: versions)
            try record(expectedSHA256, in: staging, of: versions)
            guard renameat(versions, staging, versions, version) == 0 else {
                throw .file(.system(operation: "rename to \(versionDirectory(version))", path: stagingPath, errno: errno))
            }
            try Self.sync(versions, path: versionsDirectory)
            return manifest
        } catch {
            do { try TreeRemoval.remove(staging, in: versions, path: stagingPath) } catch let cleanup { throw .file(cleanup) }
            throw error
        }
    }

    /// The sha256 `versions/VERSION/` records; a directory without one is not complete.
    func digest(of version: String, in versions: Int32) throws(InstallationError) -> ArtifactDigest {
        let directory = try Self.openChild(versions, version, path: versionDirectory(version))
        defer { close(directory) }
        let path = "\(versionDirectory(version))/\(Self.digestName)"
        guard let bytes = try Self.readFile(directory, Self.digestName, path: path, maximumBytes: 2 * ArtifactDigest.byteCount + 1)
        else { throw .incompleteVersion(path: versionDirectory(version)) }
        guard let digest = ArtifactDigest(hex: String(decoding: bytes.prefix(2 * ArtifactDigest.byteCount), as: UTF8.self)) else {
            throw .stateCorrupt(path: path, reason: "it does not hold 64 lowercase hex digits")
        }
        return digest
    }

    /// Writes the sha256 into the hidden directory `name` and makes it durable.
    private func record(_ digest: ArtifactDigest, in name: String, of versions: Int32) throws(InstallationError) {
        let path = "\(versionsDirectory)/\(name)"
        let directory = try Self.openChild(versions, name, path: path)
        defer { close(directory) }
        let file = openat(directory, Self.digestName, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644)
        guard file >= 0 else { throw .file(.system(operation: "create", path: "\(path)/\(Self.digestName)", errno: errno)) }
        defer { close(file) }
        do { try DescriptorIO.writeAll(file, Array("\(digest.hex)\n".utf8), path: "\(path)/\(Self.digestName)") } catch {
            throw .file(error)
        }
        try Self.sync(file, path: "\(path)/\(Self.digestName)")
        try Self.sync(directory, path: path)
    }

    /// The manifest of `versions/VERSION/`, read without following a link.
    public func manifest(of version: String) throws(InstallationError) -> ModuleManifest {
        let rootDescriptor = try openRoot()
        defer { close(rootDescriptor) }
        let versions = try openVersions(rootDescriptor)
        defer { close(versions) }
        return try manifest(of: version, named: version, in: versions)
    }

    /// The manifest in the directory `name` of `versions`, which must be `version`'s.
    private func manifest(of version: String, named name: String, in versions: Int32) throws(InstallationError) -> ModuleManifest {
        let path = "\(versionsDirectory)/\(name)/\(ModuleFormat.manifestPath)"
        let directory = try Self.openChild(versions, name, path: "\(versionsDirectory)/\(name)")
        defer { close(directory) }
        guard let bytes = try Self.readFile(directory, ModuleFormat.manifestPath, path: path, maximumBytes: ManifestLimits.bytesMaximum)
        else { throw .file(.system(operation: "open", path: path, errno: ENOENT)) }
        let manifest: ModuleManifest
        do { manifest = try ModuleManifest.decode(bytes) } catch { throw .stateCorrupt(path: path, reason: error.description) }
        guard manifest.name == module, manifest.version == version else {
            throw .manifestMismatch(path: versionDirectory(version), expected: "\(module) \(version)",
                                    found: "\(manifest.name) \(manifest.version)")
        }
        return try hostManifest(manifest, path: path)
    }

    static func isVersion(_ name: String) -> Bool {
        do {
            try ModuleManifest.checkVersion(name)
            return true
        } catch {
            return false
        }
    }
}
