import Foundation
import ModuleArchive
import Modules
import Testing
import TestSupport
import Wire

/// Packing and unpacking against real peers: GNU tar and python3's tarfile write archives we
/// read (and refuse), and tar reads what we write. A refused unpack leaves nothing behind.
struct ModuleArchiveTests {
    @Test func ourArtifactsListAndExtractWithTar() throws {
        try Prerequisite.requireTools("tar")
        let directory = TemporaryDirectory()
        let module = try ArchivePeers.moduleDirectory(in: directory)
        let artifact = directory.file("sample.tar.gz")
        let packed = try ModulePacker.pack(directory: module, output: artifact)
        #expect(packed.manifest == ArchivePeers.manifest)
        let listing = try ArchivePeers.shell("tar -tzf \(artifact)").split(separator: "\n")
        #expect(listing == ["hotswap-module.json", "bin/", "bin/run", "conf/", "conf/current", "conf/deep/", "conf/deep/blob",
                            "conf/empty"])
        try FileManager.default.createDirectory(atPath: directory.file("by-tar"), withIntermediateDirectories: false)
        try ArchivePeers.shell("tar -xzf \(artifact) -C \(directory.file("by-tar"))")
        try ArchivePeers.shell("diff -r \(module) \(directory.file("by-tar"))")
        let verbose = try ArchivePeers.shell("tar -tvzf \(artifact)")
        #expect(verbose.contains("-rwxr-xr-x 0/0") && verbose.contains("1970-01-01"))
    }

    @Test func packingIsDeterministicAndUnpacksToTheSameTree() throws {
        try Prerequisite.requireTools("diff")
        let directory = TemporaryDirectory()
        let module = try ArchivePeers.moduleDirectory(in: directory)
        let first = try ModulePacker.pack(directory: module, output: directory.file("a.tar.gz"))
        let second = try ModulePacker.pack(directory: module, output: directory.file("b.tar.gz"))
        #expect(first.sha256 == second.sha256)
        #expect(FileManager.default.contents(atPath: directory.file("a.tar.gz"))
                == FileManager.default.contents(atPath: directory.file("b.tar.gz")))
        let unpacked = try ModuleExtractor.extract(artifact: directory.file("a.tar.gz"), into: directory.file("out"))
        #expect(unpacked == first)
        try ArchivePeers.shell("diff -r \(module) \(directory.file("out"))")
        let attributes = try FileManager.default.attributesOfItem(atPath: directory.file("out/bin/run"))
        #expect((attributes[.posixPermissions] as? Int) == 0o755)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: directory.file("out/conf/current")) == "deep/blob")
        #expect(throws: ModuleArchiveError.destinationExists(directory.file("out"))) {
            try ModuleExtractor.extract(artifact: directory.file("a.tar.gz"), into: directory.file("out"))
        }
    }

    @Test func archivesMadeByTarAndPythonAreRead() throws {
        try Prerequisite.requireTools("tar", "python3")
        let directory = TemporaryDirectory()
        let module = try ArchivePeers.moduleDirectory(in: directory)
        try ArchivePeers.shell("tar czf \(directory.file("gnu.tar.gz")) -C \(module) .")
        let gnu = try ModuleExtractor.extract(artifact: directory.file("gnu.tar.gz"), into: directory.file("gnu"))
        #expect(gnu.manifest == ArchivePeers.manifest)
        try ArchivePeers.shell("diff -r \(module) \(directory.file("gnu"))")
        try ArchivePeers.shell("tar czf \(directory.file("posix.tar.gz")) --format=posix -C \(module) .")
        #expect(try ModuleExtractor.inspect(artifact: directory.file("posix.tar.gz")).manifest == ArchivePeers.manifest)
        try ArchivePeers.pythonArchive("good", at: directory.file("python.tar.gz"))
        _ = try ModuleExtractor.extract(artifact: directory.file("python.tar.gz"), into: directory.file("python"))
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: directory.file("python/l")) == "bin/run")
    }

    @Test(arguments: [
        ("absolute", "'/tmp/hotswap-escape' is an absolute path"),
        ("parent", "'../escape' has a '..' component"),
        ("parent-mark", "'../\u{301}escape' has a '..' component"),
        ("absolute-mark", "'/\u{301}hotswap-escape' is an absolute path"),
        ("link-mark", "symbolic link 'l' -> '../\u{301}escape' points outside the module directory"),
        ("under-link-mark", "'l/\u{301}x' lies under 'l', a symbolic link of the archive"),
        ("symlink", "symbolic link 'etc' -> '/etc' points outside the module directory"),
        ("inner-symlink", "'d/l/x' lies under 'd/l', a symbolic link of the archive"),
        ("hardlink", "'b' is a hard link to 'a'"),
        ("fifo", "'fifo' is a FIFO"),
        ("device", "'null' is a character device"),
        ("many", "more than 10 entries"),
    ])
    func maliciousArchivesAreRefusedAndLeaveNothing(kind: String, expected: String) throws {
        try Prerequisite.requireTools("python3")
        let directory = TemporaryDirectory()
        try FileManager.default.createDirectory(atPath: directory.file("modules"), withIntermediateDirectories: false)
        try Data("keep".utf8).write(to: URL(fileURLWithPath: directory.file("modules/bystander")))
        let artifact = directory.file("\(kind).tar.gz")
        try ArchivePeers.pythonArchive(kind, at: artifact)
        let limits = ArchiveLimits(tar: TarLimits(entryCountMaximum: 10))
        let rootBefore = try ArchivePeers.listing("/")
        #expect {
            try ModuleExtractor.extract(artifact: artifact, into: directory.file("modules/web"), limits: limits)
        } throws: { error in
            "\(error)".contains(expected)
        }
        #expect(try ArchivePeers.listing(directory.file("modules")) == ["bystander"])
        let left = try ArchivePeers.listing(directory.path)
        #expect(left == ["\(kind).tar.gz", "modules"].sorted())
        #expect(access("/tmp/hotswap-escape", F_OK) != 0 && access("/etc/escape", F_OK) != 0)
        #expect(access("/\u{301}hotswap-escape", F_OK) != 0 && access(directory.file("\u{301}escape"), F_OK) != 0)
        #expect(try ArchivePeers.listing("/") == rootBefore)
        #expect(FileManager.default.contents(atPath: directory.file("modules/bystander")) == Data("keep".utf8))
    }

    @Test func aGzipBombStopsAtTheBound() throws {
        try Prerequisite.requireTools("gzip", "tar", "truncate")
        let directory = TemporaryDirectory()
        let artifact = directory.file("zeros.tar.gz")
        // One file of 64 MB of zeros: past the end marker, zeros are bounded on their own (1 MiB).
        try ArchivePeers.shell("truncate -s 64000000 zeros && tar cf - zeros | gzip -c > \(artifact) && rm zeros", in: directory.path)
        let limits = ArchiveLimits(decompressedBytesMaximum: 8 << 20)
        #expect(throws: ModuleArchiveError.decompressedTooLarge(maximum: 8 << 20)) {
            try ModuleExtractor.extract(artifact: artifact, into: directory.file("out"), limits: limits)
        }
        #expect(try ArchivePeers.listing(directory.path) == ["zeros.tar.gz"])
    }

    @Test func damagedGzipAndOversizedArtifactsAreRefused() throws {
        let directory = TemporaryDirectory()
        let module = try ArchivePeers.moduleDirectory(in: directory)
        let artifact = directory.file("a.tar.gz")
        _ = try ModulePacker.pack(directory: module, output: artifact)
        var bytes = try #require(FileManager.default.contents(atPath: artifact))
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: directory.file("cut.tar.gz")))
        #expect(throws: ModuleArchiveError.notGzip("the gzip stream is cut short")) {
            try ModuleExtractor.inspect(artifact: directory.file("cut.tar.gz"))
        }
        bytes.append(0)
        try bytes.write(to: URL(fileURLWithPath: directory.file("extra.tar.gz")))
        #expect(throws: ModuleArchiveError.notGzip("data after the end of the gzip stream")) {
            try ModuleExtractor.inspect(artifact: directory.file("extra.tar.gz"))
        }
        #expect(throws: ModuleArchiveError.compressedTooLarge(maximum: 100)) {
            try ModuleExtractor.inspect(artifact: artifact, limits: ArchiveLimits(compressedBytesMaximum: 100))
        }
        #expect(throws: ModuleArchiveError.notGzip("incorrect header check")) { try ModuleExtractor.inspect(artifact: module + "/bin/run") }
    }

    @Test func packingRefusesWhatAnUnpackWould() throws {
        let directory = TemporaryDirectory()
        let module = try ArchivePeers.moduleDirectory(in: directory)
        try FileManager.default.createSymbolicLink(atPath: module + "/escape", withDestinationPath: "/etc")
        #expect {
            try ModulePacker.pack(directory: module, output: directory.file("a.tar.gz"))
        } throws: { error in
            "\(error)".contains("symbolic link 'escape' -> '/etc' points outside")
        }
        try FileManager.default.removeItem(atPath: module + "/escape")
        #expect(mkfifo(module + "/fifo", 0o600) == 0)
        #expect(throws: ModuleArchiveError.unpackable("\(module)/fifo is not a regular file, directory or symbolic link; "
                                                      + "an artifact cannot hold it")) {
            try ModulePacker.pack(directory: module, output: directory.file("a.tar.gz"))
        }
        try FileManager.default.removeItem(atPath: module + "/fifo")
        try FileManager.default.removeItem(atPath: module + "/" + ModuleFormat.manifestPath)
        #expect(throws: ModuleArchiveError.refused(.noManifest)) {
            try ModulePacker.pack(directory: module, output: directory.file("a.tar.gz"))
        }
        #expect(try ArchivePeers.listing(directory.path) == ["module"])
    }

    /// The compressed limit an unpack holds is held by the packer too: an incompressible module
    /// between the compressed and the unpacked limit would pack and never unpack.
    @Test func packingHoldsTheCompressedLimit() throws {
        let directory = TemporaryDirectory()
        let module = try ArchivePeers.moduleDirectory(in: directory)
        #expect(throws: ModuleArchiveError.compressedTooLarge(maximum: 1_000)) {
            try ModulePacker.pack(directory: module, output: directory.file("a.tar.gz"),
                                  limits: ArchiveLimits(compressedBytesMaximum: 1_000))
        }
        #expect(throws: ModuleArchiveError.decompressedTooLarge(maximum: 10_000)) {
            try ModulePacker.pack(directory: module, output: directory.file("a.tar.gz"),
                                  limits: ArchiveLimits(decompressedBytesMaximum: 10_000))
        }
        #expect(try ArchivePeers.listing(directory.path) == ["module"])
    }

    /// `hotswap module pack .` writes into the current directory by default: packed twice, the
    /// first artifact would be packed into the second. An output inside the directory is refused.
    @Test(arguments: ["a.tar.gz", "conf/deep/a.tar.gz", "conf/../a.tar.gz"])
    func anOutputInsideTheDirectoryIsRefused(inside: String) throws {
        let directory = TemporaryDirectory()
        let module = try ArchivePeers.moduleDirectory(in: directory)
        try FileManager.default.createSymbolicLink(atPath: directory.file("alias"), withDestinationPath: "module")
        for output in [module + "/" + inside, directory.file("alias/") + inside] {
            #expect(throws: ModuleArchiveError.unpackable("\(output) is inside \(module); an artifact is never written into the "
                                                          + "directory it packs (give another output path)")) {
                try ModulePacker.pack(directory: module, output: output)
            }
        }
        #expect(try ArchivePeers.listing(module) == ["bin", "conf", ModuleFormat.manifestPath].sorted())
        #expect(try ArchivePeers.listing(module + "/conf/deep") == ["blob"])
        _ = try ModulePacker.pack(directory: module, output: directory.file("a.tar.gz"))
    }

    /// A caller that knows the sha256 it expects (an upload's, a signature's) has it checked
    /// before the rename, so a wrong artifact is never put in place.
    @Test func anUnexpectedSHA256IsRefusedBeforeTheRename() throws {
        let directory = TemporaryDirectory()
        let module = try ArchivePeers.moduleDirectory(in: directory)
        let packed = try ModulePacker.pack(directory: module, output: directory.file("a.tar.gz"))
        var wrong = packed.sha256
        wrong[0] ^= 1
        #expect(throws: ModuleArchiveError.digestMismatch(expected: HexText.lowercase(wrong), found: HexText.lowercase(packed.sha256))) {
            try ModuleExtractor.extract(artifact: directory.file("a.tar.gz"), into: directory.file("out"), expectedSHA256: wrong)
        }
        #expect(try ArchivePeers.listing(directory.path) == ["a.tar.gz", "module"])
        #expect(try ModuleExtractor.extract(artifact: directory.file("a.tar.gz"), into: directory.file("out"),
                                            expectedSHA256: packed.sha256) == packed)
    }

    @Test func zlibAndLibcryptoFailuresAreNamedForTheirLibrary() {
        #expect(ModuleArchiveError.compression("deflateInit2 failed").description == "zlib failed: deflateInit2 failed")
        #expect(ModuleArchiveError.crypto("EVP_MD_CTX_new").description == "libcrypto failed: EVP_MD_CTX_new")
    }

    @Test func failuresAroundTheRenameSayWhatIsLeft() {
        guard case let .file(error) = ModuleArchiveError.file(.system(operation: "fsync", path: "/m", errno: EIO)) else { return }
        #expect(ModuleArchiveError.inPlaceNotSynced("/m/web", error).description
                == "/m/web was unpacked and put in place, but may not survive a crash: \(error)")
        #expect(ModuleArchiveError.leftBehind("/m/.web.unpacking-1", cleanup: error, cause: .destinationExists("/m/web")).description
                == "/m/web already exists; a module is unpacked only into a new directory; and the unfinished "
                    + "/m/.web.unpacking-1 could not be removed: \(error)")
    }

    /// An artifact is opened non-blocking and read only if it is a regular file: a device, a
    /// directory or a FIFO is refused for what it is, never read or waited on.
    @Test func anArtifactThatIsNotARegularFileIsRefusedUnread() throws {
        let directory = TemporaryDirectory()
        #expect(throws: ModuleArchiveError.file(.notRegularFile(path: "/dev/null", kind: .characterDevice))) {
            try ModuleExtractor.inspect(artifact: "/dev/null")
        }
        #expect(throws: ModuleArchiveError.file(.notRegularFile(path: directory.path, kind: .directory))) {
            try ModuleExtractor.inspect(artifact: directory.path)
        }
        #expect(throws: ModuleArchiveError.file(.notRegularFile(path: directory.path, kind: .directory))) {
            try ModuleExtractor.extract(artifact: directory.path, into: directory.file("out"))
        }
        #expect(try ArchivePeers.listing(directory.path) == [])
    }
}
