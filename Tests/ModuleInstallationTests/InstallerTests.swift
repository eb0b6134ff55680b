import Foundation
import HostInstall
import ModuleArchive
import ModuleInstallation
import Testing
import TestSupport

/// The installer on real files, on the paths that need no process: what it persists, links,
/// prunes and answers. Paths through processes are ModuleHostTests (Docs/MODULES.md).
struct InstallerTests {
    /// A process side no test here may reach: calling it is the failure.
    struct NoProcesses: ModuleProcessControl {
        func start(module: String, version: String, directory: String, port: Int?) throws(ProcessControlFailure) -> ProcessStart {
            Issue.record("start \(version) was called")
            throw ProcessControlFailure("no processes here")
        }

        func stop(module: String, version: String) throws(ProcessControlFailure) {
            Issue.record("stop \(version) was called")
            throw ProcessControlFailure("no processes here")
        }

        func probe(module: String, version: String, directory: String, port: Int?) throws(ProcessControlFailure) {
            Issue.record("probe \(version) was called")
            throw ProcessControlFailure("no processes here")
        }
    }

    static func command(_ version: String, strategy: InstallStrategy = .inPlace) -> InstallCommand {
        InstallCommand(operation: OperationID(deploymentID: "d1", wave: 1, kind: .install(version: version)), term: 2, sequence: 1,
                       strategy: strategy)
    }

    @Test func anArtifactWithAnotherSHA256FailsAtTheUnpackAndIsAnsweredTheSameWhenRepeated() throws {
        let directory = TemporaryDirectory()
        let layout = try InstallFixtures.layout(in: directory)
        let (artifact, _) = try InstallFixtures.artifact(version: "1.0", in: directory)
        let wrong = try #require(ArtifactDigest(bytes: [UInt8](repeating: 1, count: 32)))
        let installer = try ModuleInstaller(layout: layout, processes: NoProcesses())
        let results = try installer.perform(Self.command("1.0"), artifact: ModuleArtifact(path: artifact, sha256: wrong))
        #expect(results.map(\.outcome) == [.failed])
        #expect(results.first?.reason?.hasPrefix("web 1.0: unpack failed: the artifact's sha256 is ") == true)
        #expect(results.first?.reason?.hasSuffix("not the expected \(wrong.hex); back to no version of web") == true)
        #expect(try InstallFixtures.names(layout.versionsDirectory).isEmpty)
        #expect(try layout.currentVersion() == nil)
        installer.release()
        let again = try ModuleInstaller(layout: layout, processes: NoProcesses())
        #expect(try again.perform(Self.command("1.0"), artifact: ModuleArtifact(path: artifact, sha256: wrong)) == results)
        #expect(try layout.readState()?.completed == results)
    }

    @Test func blueGreenOfAManifestWithoutAnAlternatePortFailsAndItsVersionIsRemoved() throws {
        let directory = TemporaryDirectory()
        let layout = try InstallFixtures.layout(in: directory)
        try InstallFixtures.install("1.0", in: layout, directory: directory)
        try layout.link("1.0")
        try layout.writeState(InstallRecord(module: "web", term: 1, committed: ActiveVersion(version: "1.0", port: 8080)))
        let (artifact, digest) = try InstallFixtures.artifact(version: "2.0", alternatePort: nil, in: directory)
        let installer = try ModuleInstaller(layout: layout, processes: NoProcesses())
        let results = try installer.perform(Self.command("2.0", strategy: .blueGreen),
                                            artifact: ModuleArtifact(path: artifact, sha256: digest))
        #expect(results.map(\.outcome) == [.failed])
        #expect(results.first?.reason?.contains("blue-green needs both port and alternatePort") == true)
        #expect(try InstallFixtures.names(layout.versionsDirectory) == ["1.0"])
        #expect(try layout.currentVersion() == "1.0")
        #expect(try layout.readState()?.term == 2)
    }

    @Test func aFirstInstallInterruptedMidUnpackRecoversToNothingInstalled() throws {
        let directory = TemporaryDirectory()
        let layout = try InstallFixtures.layout(in: directory)
        let operation = OperationID(deploymentID: "d1", wave: 1, kind: .install(version: "1.0"))
        let intent = InstallIntent(operation: operation, target: "1.0", strategy: .inPlace, step: .unpack, previous: nil)
        try layout.writeState(InstallRecord(module: "web", term: 1, intent: intent))
        try FileManager.default.createDirectory(atPath: "\(layout.versionsDirectory)/.1.0.unpacking-Zz9", withIntermediateDirectories: true)
        let installer = try ModuleInstaller(layout: layout, processes: NoProcesses())
        #expect(installer.inspection.leftoversRemoved == ["versions/.1.0.unpacking-Zz9"])
        let results = installer.recovered
        #expect(results.map(\.outcome) == [.interrupted])
        #expect(results.first?.reason == "web 1.0: the agent restarted during 'unpack'; back to no version of web")
        #expect(try layout.readState()?.intent == nil)
        #expect(try layout.readState()?.completed == results)
    }

    @Test func twoInstallersOfOneModuleAreRefusedAndABadSettingIsAnError() throws {
        let directory = TemporaryDirectory()
        let layout = try InstallFixtures.layout(in: directory)
        let installer = try ModuleInstaller(layout: layout, processes: NoProcesses())
        let second = InstallFixtures.error { () throws(InstallationError) in try ModuleInstaller(layout: layout, processes: NoProcesses()) }
        #expect(second?.description.contains("lock") == true, "\(String(describing: second))")
        installer.release()
        let setting = InstallFixtures.error { () throws(InstallationError) in
            try ModuleInstaller(layout: layout, processes: NoProcesses(), retainedMaximum: 17)
        }
        #expect(setting == .invalidSetting("retained versions must be from 1 to 16, not 17"))
    }

    /// A crash between the commit's write and its prune left a version no longer kept: recovery removes it.
    @Test func recoveryPrunesWhatACrashLeftAfterACommit() throws {
        let directory = TemporaryDirectory()
        let layout = try InstallFixtures.layout(in: directory)
        for version in ["1.0", "2.0", "3.0"] { try InstallFixtures.install(version, in: layout, directory: directory) }
        try layout.link("3.0")
        try layout.writeState(InstallRecord(module: "web", term: 1, committed: ActiveVersion(version: "3.0", port: 8080),
                                            retained: ["2.0"]))
        try FileManager.default.createSymbolicLink(atPath: layout.versionDirectory("0.5"), withDestinationPath: directory.path)
        let installer = try ModuleInstaller(layout: layout, processes: NoProcesses(), retainedMaximum: 1)
        #expect(installer.recovered.isEmpty)
        #expect(try InstallFixtures.names(layout.versionsDirectory) == ["0.5", "2.0", "3.0"])
        #expect(installer.unexpected == ["0.5"], "a name HotSwap did not make is surfaced, not dropped")
    }
}
