import Foundation
import HostInstall
import ModuleInstallation
import Testing
import TestSupport

/// Retention on disk: versions outside the keep set are removed through descriptors, never the
/// one `current` points at, and names HotSwap did not make are reported and left alone.
struct PruneTests {
    @Test func onlyTheKeptVersionsAndCurrentRemain() throws {
        let directory = TemporaryDirectory()
        let layout = try InstallFixtures.layout(in: directory)
        for version in ["1.0", "2.0", "3.0", "4.0"] { try InstallFixtures.install(version, in: layout, directory: directory) }
        try layout.link("1.0")
        let pruned = try layout.prune(keeping: ["4.0", "3.0"])
        #expect(pruned == ModuleLayout.Pruned(removed: ["2.0"], unexpected: []))
        #expect(try InstallFixtures.names(layout.versionsDirectory) == ["1.0", "3.0", "4.0"])
    }

    @Test func aLinkInsideARemovedVersionIsNotFollowed() throws {
        let directory = TemporaryDirectory()
        let layout = try InstallFixtures.layout(in: directory)
        try InstallFixtures.install("1.0", in: layout, directory: directory)
        let outside = directory.file("precious")
        try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: true)
        try Data("keep".utf8).write(to: URL(fileURLWithPath: "\(outside)/file"))
        try FileManager.default.createSymbolicLink(atPath: "\(layout.versionDirectory("1.0"))/data", withDestinationPath: outside)
        #expect(try layout.prune(keeping: []).removed == ["1.0"])
        #expect(try InstallFixtures.names(outside) == ["file"])
    }

    @Test func namesHotSwapDidNotMakeAreLeftAlone() throws {
        let directory = TemporaryDirectory()
        let layout = try InstallFixtures.layout(in: directory)
        let outside = directory.file("precious")
        try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: layout.versionDirectory("9.0"), withDestinationPath: outside)
        try Data().write(to: URL(fileURLWithPath: layout.versionDirectory("8.0")))
        try FileManager.default.createDirectory(atPath: "\(layout.versionsDirectory)/not a version", withIntermediateDirectories: true)
        let pruned = try layout.prune(keeping: [])
        #expect(pruned == ModuleLayout.Pruned(removed: [], unexpected: ["8.0", "9.0", "not a version"]))
        #expect(try InstallFixtures.names(layout.versionsDirectory) == ["8.0", "9.0", "not a version"])
        #expect(FileManager.default.fileExists(atPath: outside))
    }

    /// A `versions` that is a link to elsewhere is refused: nothing there is listed or removed.
    @Test func aVersionsLinkIsRefusedAndNothingOutsideIsTouched() throws {
        let directory = TemporaryDirectory()
        let layout = try InstallFixtures.layout(in: directory)
        let elsewhere = directory.file("elsewhere")
        try FileManager.default.createDirectory(atPath: "\(elsewhere)/usr", withIntermediateDirectories: true)
        try FileManager.default.removeItem(atPath: layout.versionsDirectory)
        try FileManager.default.createSymbolicLink(atPath: layout.versionsDirectory, withDestinationPath: elsewhere)
        let refused = InstallationError.linkedDirectory(path: layout.versionsDirectory)
        #expect(InstallFixtures.error { () throws(InstallationError) in try layout.prune(keeping: []) } == refused)
        #expect(InstallFixtures.error { () throws(InstallationError) in try layout.inspect() } == refused)
        #expect(InstallFixtures.error { () throws(InstallationError) in try layout.prepare() } == refused)
        #expect(InstallFixtures.unpackError(layout, "usr", artifact: nil, digest: nil) == refused)
        #expect(try InstallFixtures.names(elsewhere) == ["usr"])
    }

    @Test func aModuleRootThatIsALinkIsRefused() throws {
        let directory = TemporaryDirectory()
        let modules = directory.file("modules")
        try FileManager.default.createDirectory(atPath: directory.file("elsewhere/versions/1.0"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: modules, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: "\(modules)/web", withDestinationPath: directory.file("elsewhere"))
        let layout = try ModuleLayout(modulesDirectory: modules, module: "web")
        #expect(InstallFixtures.error { () throws(InstallationError) in try layout.prune(keeping: []) }
                == .linkedDirectory(path: layout.root))
        #expect(try InstallFixtures.names(directory.file("elsewhere/versions")) == ["1.0"])
    }
}
