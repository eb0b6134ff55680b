import Foundation
import HostInstall
import ModuleArchive
import ModuleInstallation
import Modules
import Testing
import TestSupport

/// `versions/VERSION/`: a real artifact unpacked with its expected sha256, a complete directory
/// reused, and what an unpack must refuse leaves nothing behind.
struct LayoutVersionTests {
    @Test func anArtifactIsUnpackedUnderVersionsAndReusedWithoutOne() throws {
        let directory = TemporaryDirectory()
        let layout = try InstallFixtures.layout(in: directory)
        let (artifact, digest) = try InstallFixtures.artifact(version: "1.0", in: directory)
        let manifest = try layout.unpack("1.0", artifact: artifact, expectedSHA256: digest)
        #expect(manifest.version == "1.0" && manifest.port == 8080 && manifest.alternatePort == 8081)
        let script = try String(contentsOfFile: "\(layout.versionDirectory("1.0"))/bin/run", encoding: .utf8)
        #expect(script == "#!/bin/sh\necho 1.0\n")
        try FileManager.default.removeItem(atPath: artifact)
        #expect(try layout.unpack("1.0", artifact: nil, expectedSHA256: nil) == manifest)
        #expect(try InstallFixtures.names(layout.versionsDirectory) == ["1.0"])
    }

    @Test func anArtifactWithAnotherSHA256IsRefusedAndLeavesNothing() throws {
        let directory = TemporaryDirectory()
        let layout = try InstallFixtures.layout(in: directory)
        let (artifact, _) = try InstallFixtures.artifact(version: "1.0", in: directory)
        let other = try #require(ArtifactDigest(bytes: [UInt8](repeating: 7, count: 32)))
        let error = InstallFixtures.unpackError(layout, "1.0", artifact: artifact, digest: other)
        #expect(error?.description.contains("not the expected \(other.hex)") == true, "\(String(describing: error))")
        #expect(try InstallFixtures.names(layout.versionsDirectory).isEmpty)
    }

    @Test func anArtifactOfAnotherVersionIsRefusedAndRemoved() throws {
        let directory = TemporaryDirectory()
        let layout = try InstallFixtures.layout(in: directory)
        let (artifact, digest) = try InstallFixtures.artifact(version: "1.0", in: directory)
        let error = InstallFixtures.unpackError(layout, "2.0", artifact: artifact, digest: digest)
        #expect(error == .manifestMismatch(path: layout.versionDirectory("2.0"), expected: "web 2.0", found: "web 1.0"))
        #expect(try InstallFixtures.names(layout.versionsDirectory).isEmpty)
        let module = try InstallFixtures.artifact("api", version: "3.0", in: directory)
        let other = InstallFixtures.unpackError(layout, "3.0", artifact: module.0, digest: module.1)
        #expect(other?.description == "\(layout.versionDirectory("3.0")) holds api 3.0, not web 3.0")
        #expect(try InstallFixtures.names(layout.versionsDirectory).isEmpty, "refused before the rename into versions/")
    }

    @Test func aVersionOnDiskIsReusedOnlyForTheSHA256ItWasUnpackedFrom() throws {
        let directory = TemporaryDirectory()
        let layout = try InstallFixtures.layout(in: directory)
        let (artifact, digest) = try InstallFixtures.artifact(version: "1.0", in: directory)
        _ = try layout.unpack("1.0", artifact: artifact, expectedSHA256: digest)
        let recorded = try String(contentsOfFile: "\(layout.versionDirectory("1.0"))/\(ModuleLayout.digestName)", encoding: .utf8)
        #expect(recorded == "\(digest.hex)\n")
        let other = try #require(ArtifactDigest(bytes: [UInt8](repeating: 7, count: 32)))
        #expect(InstallFixtures.unpackError(layout, "1.0", artifact: artifact, digest: other)
                == .versionDigestMismatch(path: layout.versionDirectory("1.0"), expected: other.hex, found: digest.hex))
        #expect(InstallFixtures.unpackError(layout, "1.0", artifact: artifact, digest: digest) == nil)
        #expect(InstallFixtures.unpackError(layout, "2.0", artifact: artifact, digest: nil) == .noDigest(module: "web", version: "2.0"))
    }

    /// Only a directory HotSwap completed (its sha256 recorded, written last before the rename) is reused.
    @Test func aVersionDirectoryWithoutItsRecordedSHA256IsNotReused() throws {
        let directory = TemporaryDirectory()
        let layout = try InstallFixtures.layout(in: directory)
        try InstallFixtures.install("1.0", in: layout, directory: directory)
        try FileManager.default.removeItem(atPath: "\(layout.versionDirectory("1.0"))/\(ModuleLayout.digestName)")
        #expect(InstallFixtures.unpackError(layout, "1.0", artifact: nil, digest: nil)
                == .incompleteVersion(path: layout.versionDirectory("1.0")))
    }

    @Test func aVersionNotOnDiskWithoutAnArtifactIsRefused() throws {
        let directory = TemporaryDirectory()
        let layout = try InstallFixtures.layout(in: directory)
        let error = InstallFixtures.unpackError(layout, "1.0", artifact: nil, digest: nil)
        #expect(error?.description == "web 1.0 is not on this host and no artifact was given to unpack")
        let bad = InstallFixtures.unpackError(layout, "../x", artifact: nil, digest: nil)
        #expect(bad?.description.contains("version '../x' must be") == true)
    }

    @Test func aLinkWhereAVersionDirectoryBelongsIsNotReused() throws {
        let directory = TemporaryDirectory()
        let layout = try InstallFixtures.layout(in: directory)
        try FileManager.default.createDirectory(atPath: directory.file("elsewhere"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: layout.versionDirectory("1.0"), withDestinationPath: directory.file("elsewhere"))
        let error = InstallFixtures.unpackError(layout, "1.0", artifact: nil, digest: nil)
        let expected = "\(layout.versionDirectory("1.0")) is a symbolic link, not a version directory HotSwap unpacked: remove it"
        #expect(error?.description == expected)
    }
}
