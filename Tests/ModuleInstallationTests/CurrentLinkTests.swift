import Foundation
import HostInstall
import ModuleInstallation
import Testing
import TestSupport

/// `current`: a relative link to `versions/VERSION` replaced by a rename, never a link HotSwap
/// did not make.
struct CurrentLinkTests {
    @Test func currentSwitchesBetweenVersionsAsARelativeLinkAndIsRemovedForNone() throws {
        let directory = TemporaryDirectory()
        let layout = try InstallFixtures.layout(in: directory)
        try InstallFixtures.install("1.0", in: layout, directory: directory)
        try InstallFixtures.install("2.0", in: layout, directory: directory)
        #expect(try layout.currentVersion() == nil)
        try layout.link("1.0")
        #expect(InstallFixtures.linkTarget(layout.currentPath) == "versions/1.0")
        try layout.link("2.0")
        #expect(InstallFixtures.linkTarget(layout.currentPath) == "versions/2.0")
        #expect(try layout.currentVersion() == "2.0")
        let script = try String(contentsOfFile: "\(layout.currentPath)/bin/run", encoding: .utf8)
        #expect(script == "#!/bin/sh\necho 2.0\n")
        try layout.link(nil)
        #expect(try layout.currentVersion() == nil)
        try layout.link(nil)
        #expect(try InstallFixtures.names(layout.root) == ["versions"])
    }

    @Test func aLinkToAVersionNotUnpackedIsRefusedAndCurrentStays() throws {
        let directory = TemporaryDirectory()
        let layout = try InstallFixtures.layout(in: directory)
        try InstallFixtures.install("1.0", in: layout, directory: directory)
        try layout.link("1.0")
        #expect(InstallFixtures.error { () throws(InstallationError) in try layout.link("3.0") }
                == .missingVersion(path: layout.versionDirectory("3.0")))
        #expect(try layout.currentVersion() == "1.0")
    }

    @Test func aLeftoverHalfMadeLinkDoesNotStopASwitch() throws {
        let directory = TemporaryDirectory()
        let layout = try InstallFixtures.layout(in: directory)
        try InstallFixtures.install("1.0", in: layout, directory: directory)
        try FileManager.default.createSymbolicLink(atPath: "\(layout.root)/.current.next", withDestinationPath: "/etc")
        try layout.link("1.0")
        #expect(try InstallFixtures.names(layout.root) == ["current", "versions"])
    }

    @Test(arguments: [("/etc", "points to /etc, outside versions/"), ("../../x", "points to ../../x, outside versions/"),
                      ("versions/../../x", "points to versions/../../x, not to a version in versions/"),
                      ("versions/1.0/bin", "points to versions/1.0/bin, not to a version in versions/")])
    func aCurrentPointingOutsideIsRefusedAndLeftAlone(target: String, what: String) throws {
        let directory = TemporaryDirectory()
        let layout = try InstallFixtures.layout(in: directory)
        try InstallFixtures.install("1.0", in: layout, directory: directory)
        try FileManager.default.createSymbolicLink(atPath: layout.currentPath, withDestinationPath: target)
        let expected = InstallationError.foreignCurrent(path: layout.currentPath, what: what)
        #expect(InstallFixtures.error { () throws(InstallationError) in try layout.currentVersion() } == expected)
        #expect(InstallFixtures.error { () throws(InstallationError) in try layout.link("1.0") } == expected)
        #expect(InstallFixtures.linkTarget(layout.currentPath) == target)
    }

    @Test func aCurrentThatIsADirectoryIsRefusedAndLeftAlone() throws {
        let directory = TemporaryDirectory()
        let layout = try InstallFixtures.layout(in: directory)
        try InstallFixtures.install("1.0", in: layout, directory: directory)
        try FileManager.default.createDirectory(atPath: "\(layout.currentPath)/data", withIntermediateDirectories: true)
        let error = InstallFixtures.error { () throws(InstallationError) in try layout.link("1.0") }
        #expect(error == .foreignCurrent(path: layout.currentPath, what: "is not a symbolic link"))
        #expect(error?.description.contains("will not replace it: remove it and restart") == true)
        #expect(try InstallFixtures.names(layout.currentPath) == ["data"])
    }
}
