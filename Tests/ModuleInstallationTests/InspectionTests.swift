import Foundation
import HostInstall
import ModuleInstallation
import Testing
import TestSupport

/// What a start finds: a crash's leftovers removed, `current` made to agree with the record by
/// the core's rule, and anything HotSwap did not make or cannot explain refused.
struct InspectionTests {
    static func record(step: InstallStep?) -> InstallRecord {
        var record = InstallRecord(module: "web", term: 1, committed: ActiveVersion(version: "1.0", port: 8080))
        if let step {
            record.intent = InstallIntent(operation: OperationID(deploymentID: "d", wave: 1, kind: .install(version: "2.0")),
                                          target: "2.0", strategy: .blueGreen, step: step, previous: record.committed, targetPort: 8081,
                                          failedStep: step.isRollback ? .link : nil)
        }
        return record
    }

    @Test func aCrashsLeftoversAreRemoved() throws {
        let directory = TemporaryDirectory()
        let layout = try InstallFixtures.layout(in: directory)
        try InstallFixtures.install("1.0", in: layout, directory: directory)
        try layout.writeState(Self.record(step: nil))
        try layout.link("1.0")
        try FileManager.default.createDirectory(atPath: "\(layout.versionsDirectory)/.3.0.pruning-x1y2z3/lib",
                                                withIntermediateDirectories: true)
        let hidden = "\(layout.versionsDirectory)/.2.0.unpacking-AbC123"
        try FileManager.default.createDirectory(atPath: "\(hidden)/bin", withIntermediateDirectories: true)
        try Data("x".utf8).write(to: URL(fileURLWithPath: "\(hidden)/bin/run"))
        try FileManager.default.createSymbolicLink(atPath: "\(hidden)/outside", withDestinationPath: directory.path)
        try FileManager.default.createSymbolicLink(atPath: "\(layout.root)/.current.next", withDestinationPath: "versions/2.0")
        let inspection = try layout.inspect()
        #expect(inspection.leftoversRemoved == ["versions/.2.0.unpacking-AbC123", "versions/.3.0.pruning-x1y2z3", ".current.next"],
                "a half-pruned version (a crash mid-removal) goes too")
        #expect(inspection.correctedCurrent == nil)
        #expect(try InstallFixtures.names(layout.versionsDirectory) == ["1.0"])
        #expect(try InstallFixtures.names(layout.root) == ["current", "install-state", "versions"])
        #expect(FileManager.default.fileExists(atPath: directory.file("modules")), "the link's target survives")
    }

    @Test(arguments: [(InstallStep?.none, "1.0"), (.unpack, "1.0"), (.link, "1.0"), (.rollbackLink, "1.0"),
                      (.stopPreviousAfterSwitch, "2.0"), (.ensureTarget, "2.0")])
    func currentIsMadeToAgreeWithTheRecord(step: InstallStep?, expected: String) throws {
        let directory = TemporaryDirectory()
        let layout = try InstallFixtures.layout(in: directory)
        try InstallFixtures.install("1.0", in: layout, directory: directory)
        try InstallFixtures.install("2.0", in: layout, directory: directory)
        try layout.writeState(Self.record(step: step))
        let found = expected == "1.0" ? "2.0" : "1.0"
        try layout.link(found)
        let inspection = try layout.inspect()
        #expect(inspection.correctedCurrent == ModuleLayout.CurrentCorrection(from: found, to: expected))
        #expect(try layout.currentVersion() == expected)
        #expect(try layout.inspect().correctedCurrent == nil)
    }

    @Test func aMissingCurrentIsMadeAndNoRecordMeansNoCurrent() throws {
        let directory = TemporaryDirectory()
        let layout = try InstallFixtures.layout(in: directory)
        try InstallFixtures.install("1.0", in: layout, directory: directory)
        #expect(try layout.inspect() == ModuleLayout.Inspection(record: nil))
        try layout.link("1.0")
        #expect(try layout.inspect().correctedCurrent == ModuleLayout.CurrentCorrection(from: "1.0", to: nil))
        try layout.writeState(Self.record(step: nil))
        #expect(try layout.inspect().correctedCurrent == ModuleLayout.CurrentCorrection(from: nil, to: "1.0"))
    }

    @Test func aCurrentPointingOutsideStopsTheStart() throws {
        let directory = TemporaryDirectory()
        let layout = try InstallFixtures.layout(in: directory)
        try InstallFixtures.install("1.0", in: layout, directory: directory)
        try layout.writeState(Self.record(step: nil))
        try FileManager.default.createSymbolicLink(atPath: layout.currentPath, withDestinationPath: "/tmp")
        #expect(InstallFixtures.error { () throws(InstallationError) in try layout.inspect() }
                == .foreignCurrent(path: layout.currentPath, what: "points to /tmp, outside versions/"))
        #expect(InstallFixtures.linkTarget(layout.currentPath) == "/tmp")
    }

    @Test func theVersionCurrentMustNameMissingStopsTheStart() throws {
        let directory = TemporaryDirectory()
        let layout = try InstallFixtures.layout(in: directory)
        try InstallFixtures.install("1.0", in: layout, directory: directory)
        try layout.writeState(Self.record(step: .unpack))
        #expect(try layout.inspect().correctedCurrent == ModuleLayout.CurrentCorrection(from: nil, to: "1.0"), "2.0 is not needed")
        try layout.writeState(Self.record(step: .stopPreviousAfterSwitch))
        #expect(InstallFixtures.error { () throws(InstallationError) in try layout.inspect() }
                == .missingVersion(path: layout.versionDirectory("2.0")))
        let otherDirectory = TemporaryDirectory()
        let other = try InstallFixtures.layout(in: otherDirectory)
        try other.writeState(Self.record(step: nil))
        #expect(InstallFixtures.error { () throws(InstallationError) in try other.inspect() }
                == .missingVersion(path: other.versionDirectory("1.0")))
        try FileManager.default.createSymbolicLink(atPath: other.currentPath, withDestinationPath: "versions/1.0")
        #expect(InstallFixtures.error { () throws(InstallationError) in try other.inspect() }
                == .missingVersion(path: other.versionDirectory("1.0")), "a dangling current")
    }

    @Test func aCorruptStateStopsTheStart() throws {
        let directory = TemporaryDirectory()
        let layout = try InstallFixtures.layout(in: directory)
        try Data([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]).write(to: URL(fileURLWithPath: layout.statePath))
        guard case .stateCorrupt = InstallFixtures.error({ () throws(InstallationError) in try layout.inspect() }) else {
            Issue.record("a corrupt state was not refused")
            return
        }
    }
}
