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

    @Test func theHostHoldsAtMost64Modules() throws {
        let directory = TemporaryDirectory()
        let modules = InstalledModules(directory: directory.file("modules"))
        for index in 0..<InstalledModules.modulesMaximum { _ = try modules.layout(for: "m\(index)") }
        #expect(try modules.names().count == 64)
        _ = try modules.layout(for: "m7")
        #expect(InstallFixtures.error { () throws(InstallationError) in try modules.layout(for: "one-more") }
                == .tooManyModules(directory: modules.directory, maximum: 64))
        #expect(InstallFixtures.error { () throws(InstallationError) in try modules.layout(for: "Bad_Name") }?
            .description.contains("name 'Bad_Name' must be") == true)
    }
}
