import Foundation
import HostInstall
import Locking
import ModuleArchive
import ModuleInstallation
import Modules
import Testing
import TestSupport

/// A host's module port offset (`hotswap agent --module-port-offset N`): every port a manifest
/// declares is moved by N where the layout reads it, so the installer starts and probes the
/// version there; a port moved past 65535 fails the install at the unpack and leaves nothing.
struct PortOffsetTests {
    /// Records the ports the installer asks for; every call succeeds.
    final class PortLog: ModuleProcessControl {
        let calls = Locked<[String]>([])

        func start(module: String, version: String, directory: String, port: Int?) throws(ProcessControlFailure) -> ProcessStart {
            calls.withLock { $0.append("start \(version) \(port.map(String.init) ?? "none")") }
            return .spawned
        }

        func stop(module: String, version: String) throws(ProcessControlFailure) {
            calls.withLock { $0.append("stop \(version)") }
        }

        func probe(module: String, version: String, directory: String, port: Int?) throws(ProcessControlFailure) {
            calls.withLock { $0.append("probe \(version) \(port.map(String.init) ?? "none")") }
        }
    }

    /// "web" `version` on port 8080 probed over HTTP on `healthPort`; with alternate port 8081 when that is 8080
    /// (a manifest with an alternate port must probe its port).
    static func artifact(_ version: String, healthPort: Int, in directory: TemporaryDirectory) throws -> ModuleArtifact {
        let source = directory.file("source-\(version)")
        try FileManager.default.createDirectory(atPath: "\(source)/bin", withIntermediateDirectories: true)
        let manifest = ModuleManifest(name: "web", version: version, start: .init(command: "bin/run"),
                                      health: .http(path: "/healthz", port: healthPort), port: 8080,
                                      alternatePort: healthPort == 8080 ? 8081 : nil)
        try Data(manifest.encoded()).write(to: URL(fileURLWithPath: "\(source)/\(ModuleFormat.manifestPath)"))
        try Data("#!/bin/sh\n".utf8).write(to: URL(fileURLWithPath: "\(source)/bin/run"))
        let output = directory.file("web-\(version).tar.gz")
        let digest = try #require(ArtifactDigest(bytes: try ModulePacker.pack(directory: source, output: output).sha256))
        return ModuleArtifact(path: output, sha256: digest)
    }

    static func layout(offset: Int, in directory: TemporaryDirectory) throws -> ModuleLayout {
        try FileManager.default.createDirectory(atPath: directory.file("modules"), withIntermediateDirectories: true)
        let layout = try ModuleLayout(modulesDirectory: directory.file("modules"), module: "web", portOffset: offset)
        try layout.prepare()
        return layout
    }

    @Test func everyDeclaredPortIsMovedByTheOffsetWhereTheLayoutReadsTheManifest() throws {
        let directory = TemporaryDirectory()
        let layout = try Self.layout(offset: 300, in: directory)
        let artifact = try Self.artifact("1.0", healthPort: 8080, in: directory)
        let manifest = try layout.unpack("1.0", artifact: artifact.path, expectedSHA256: artifact.sha256)
        #expect(manifest.port == 8380 && manifest.alternatePort == 8381 && manifest.health == .http(path: "/healthz", port: 8380))
        #expect(try layout.manifest(of: "1.0") == manifest)
        let other = try Self.artifact("1.1", healthPort: 9090, in: directory)
        let probedElsewhere = try layout.unpack("1.1", artifact: other.path, expectedSHA256: other.sha256)
        #expect(probedElsewhere.port == 8380 && probedElsewhere.health == .http(path: "/healthz", port: 9390))
        let unmoved = try ModuleLayout(modulesDirectory: directory.file("modules"), module: "web")
        #expect(try unmoved.manifest(of: "1.0").port == 8080, "the artifact on disk keeps its own ports")
    }

    @Test func theInstallerStartsAndProbesTheVersionOnItsMovedPorts() throws {
        let directory = TemporaryDirectory()
        let layout = try Self.layout(offset: 20, in: directory)
        let processes = PortLog()
        let installer = try ModuleInstaller(layout: layout, processes: processes)
        defer { installer.release() }
        let command = InstallerTests.command("1.0")
        let results = try installer.perform(command, artifact: try Self.artifact("1.0", healthPort: 8080, in: directory))
        #expect(results.map(\.outcome) == [.installed], "\(results)")
        #expect(results.first?.active == ActiveVersion(version: "1.0", port: 8100))
        #expect(processes.calls.withLock { $0 }.allSatisfy { !$0.hasPrefix("start") && !$0.hasPrefix("probe") || $0.hasSuffix(" 8100") },
                "\(processes.calls.withLock { $0 })")
        let blueGreen = InstallCommand(operation: OperationID(deploymentID: "d1", wave: 2, kind: .install(version: "2.0")), term: 2,
                                       sequence: 2, strategy: .blueGreen)
        let switched = try installer.perform(blueGreen, artifact: try Self.artifact("2.0", healthPort: 8080, in: directory))
        #expect(switched.first?.active == ActiveVersion(version: "2.0", port: 8101), "\(switched)")
    }

    @Test func aPortMovedPast65535FailsTheInstallAtTheUnpackAndLeavesNothing() throws {
        let directory = TemporaryDirectory()
        let layout = try Self.layout(offset: 10_000, in: directory)
        let installer = try ModuleInstaller(layout: layout, processes: InstallerTests.NoProcesses())
        defer { installer.release() }
        let results = try installer.perform(InstallerTests.command("1.0"),
                                            artifact: try Self.artifact("1.0", healthPort: 60_000, in: directory))
        #expect(results.map(\.outcome) == [.failed])
        #expect(results.first?.reason?.contains("its health.http.port 60000 moved by this host's module port offset 10000 is 70000, "
                                                + "past 65535") == true, "\(results)")
        #expect(try InstallFixtures.names(layout.versionsDirectory).isEmpty)
    }

    @Test func anOffsetOutsideZeroToTenThousandIsRefused() {
        for offset in [-1, 10_001] {
            #expect(throws: InstallationError.self) {
                try ModuleLayout(modulesDirectory: "/tmp/modules", module: "web", portOffset: offset)
            }
        }
        var settings = ProcessSettings()
        settings.portOffset = 10_001
        #expect(settings.refusal() != nil)
    }
}
