import Foundation
import HostInstall
import Locking
import ModuleArchive
import ModuleInstallation
import Testing
import TestSupport

/// Installs on real processes: the installer driving `SupervisedProcesses`, which runs the sample
/// service from packed artifacts on the ports the install core assigns (Docs/MODULES.md,
/// "Processes of a module"). Every test ends every process it started, failed or not.
@Suite struct ModuleProcessTests {
    /// Passes every call through, and notes what answers on both ports once the new version is healthy.
    final class Observed: ModuleProcessControl {
        let inner: SupervisedProcesses
        let ports: (Int, Int)
        let seen = Locked<[String: String?]>([:])

        init(_ inner: SupervisedProcesses, ports: (Int, Int)) {
            self.inner = inner
            self.ports = ports
        }

        func start(module: String, version: String, directory: String, port: Int?) throws(ProcessControlFailure) -> ProcessStart {
            try inner.start(module: module, version: version, directory: directory, port: port)
        }

        func stop(module: String, version: String) throws(ProcessControlFailure) {
            try inner.stop(module: module, version: version)
        }

        func probe(module: String, version: String, directory: String, port: Int?) throws(ProcessControlFailure) {
            try inner.probe(module: module, version: version, directory: directory, port: port)
            let answers = ["main": ServiceProbe.version(on: ports.0), "alternate": ServiceProbe.version(on: ports.1)]
            seen.withLock { $0 = answers }
        }
    }

    @Test func inPlaceInstallsServeOnThePortAndASwitchBackServesTheEarlierVersionAgain() throws {
        let host = try HostFixture()
        defer { #expect(host.cleanUp()) }
        let installer = try ModuleInstaller(layout: host.layout, processes: try host.control())
        defer { installer.release() }
        let first = try host.install(installer, "1.0")
        #expect(first.outcome == .installed && first.active == ActiveVersion(version: "1.0", port: host.mainPort), "\(first)")
        #expect(ServiceProbe.version(on: host.mainPort) == "1.0")
        let second = try host.install(installer, "2.0")
        #expect(second.outcome == .installed && second.active == ActiveVersion(version: "2.0", port: host.mainPort), "\(second)")
        #expect(ServiceProbe.version(on: host.mainPort) == "2.0")
        #expect(try host.layout.currentVersion() == "2.0")
        #expect(host.liveServices().count == 1)
        let back = try installer.perform(host.command(.switchBack(from: "2.0")), artifact: nil)
        #expect(back.map(\.outcome) == [.installed], "\(back)")
        #expect(ServiceProbe.version(on: host.mainPort) == "1.0")
        #expect(try host.layout.currentVersion() == "1.0")
        #expect(host.liveServices().count == 1)
        let recorded = try RecordedProcesses.read(host.layout).entries
        #expect(recorded.map(\.version) == ["1.0"] && recorded.first?.port == host.mainPort)
        #expect(recorded.first.map { host.liveServices().contains($0.process.pid) } == true)
        #expect(FileManager.default.fileExists(atPath: "\(host.layout.root)/logs/\(host.module)-2.0.log"))
    }

    @Test func blueGreenStartsTheNewVersionOnTheAlternatePortWhileTheOldOneServesThenStopsTheOldOne() throws {
        let host = try HostFixture()
        defer { #expect(host.cleanUp()) }
        let observed = Observed(try host.control(), ports: (host.mainPort, host.alternatePort))
        let installer = try ModuleInstaller(layout: host.layout, processes: observed)
        defer { installer.release() }
        #expect(try host.install(installer, "1.0", .blueGreen).outcome == .installed)
        let result = try host.install(installer, "2.0", .blueGreen)
        #expect(result.outcome == .installed && result.active == ActiveVersion(version: "2.0", port: host.alternatePort), "\(result)")
        #expect(observed.seen.withLock { $0 } == ["main": "1.0", "alternate": "2.0"])
        #expect(ServiceProbe.version(on: host.alternatePort) == "2.0")
        #expect(ServiceProbe.version(on: host.mainPort) == nil)
        #expect(try host.layout.readState()?.committed == ActiveVersion(version: "2.0", port: host.alternatePort))
        #expect(host.liveServices().count == 1)
        #expect(try RecordedProcesses.read(host.layout).entries.map(\.version) == ["2.0"])
    }

    @Test func aVersionThatExitsAtOnceFailsAndTheHostSwitchesBackByItself() throws {
        let host = try HostFixture()
        defer { #expect(host.cleanUp()) }
        let installer = try ModuleInstaller(layout: host.layout, processes: try host.control())
        defer { installer.release() }
        #expect(try host.install(installer, "1.0").outcome == .installed)
        let result = try host.install(installer, "2.0", flavor: .exitsAtOnce)
        #expect(result.outcome == .failed && result.active == ActiveVersion(version: "1.0", port: host.mainPort), "\(result)")
        #expect(result.reason?.contains("\(host.module) 2.0: health probe failed: \(host.module) 2.0 is not healthy") == true,
                "\(result.reason ?? "")")
        #expect(result.reason?.hasSuffix("back to \(host.module) 1.0") == true)
        #expect(eventually { ServiceProbe.version(on: host.mainPort) == "1.0" })
        #expect(try host.layout.currentVersion() == "1.0")
        #expect(eventually { host.liveServices().count == 1 })
    }

    /// A probe that answers 404 fails only at the deadline, so this host's second agent (which
    /// adopts 1.0 from the first) waits 10 s rather than the 30 s the good versions have.
    @Test func aVersionWhoseProbeAnswers404FailsAndTheAdoptedVersionServesAgain() throws {
        let host = try HostFixture()
        defer { #expect(host.cleanUp()) }
        let earlier = try host.control()
        let first = try ModuleInstaller(layout: host.layout, processes: earlier)
        #expect(try host.install(first, "1.0").outcome == .installed)
        first.release()
        earlier.shutdown()
        var quick = HostFixture.settings
        quick.healthDeadline = .seconds(10)
        let control = try host.control(settings: quick)
        let installer = try ModuleInstaller(layout: host.layout, processes: control)
        defer { installer.release() }
        try control.resume(layout: host.layout, record: installer.core.record)
        #expect(control.supervisors(of: host.module)["1.0"]?.status.adopted == true)
        let result = try host.install(installer, "2.0", flavor: .probeMissing)
        #expect(result.outcome == .failed && result.active == ActiveVersion(version: "1.0", port: host.mainPort), "\(result)")
        #expect(result.reason?.contains("the last failure: HTTP 404") == true, "\(result.reason ?? "")")
        #expect(eventually { ServiceProbe.version(on: host.mainPort) == "1.0" })
        #expect(eventually { host.liveServices().count == 1 })
    }

    @Test func aTamperedArtifactIsRefusedAndNothingIsInstalled() throws {
        let host = try HostFixture()
        defer { #expect(host.cleanUp()) }
        let installer = try ModuleInstaller(layout: host.layout, processes: try host.control())
        defer { installer.release() }
        let good = try host.artifact("1.0")
        var digest = good.sha256.bytes
        digest[0] ^= 1
        let tampered = ModuleArtifact(path: good.path, sha256: try #require(ArtifactDigest(bytes: digest)))
        let results = try installer.perform(host.command(.install(version: "1.0")), artifact: tampered)
        #expect(results.map(\.outcome) == [.failed], "\(results)")
        #expect(results.first?.reason?.contains("sha256") == true && results.first?.active == nil)
        #expect(try FileManager.default.contentsOfDirectory(atPath: host.layout.versionsDirectory).isEmpty)
        #expect(try host.layout.currentVersion() == nil)
        #expect(try RecordedProcesses.read(host.layout).entries.isEmpty)
        #expect(host.liveServices().isEmpty)
    }

    @Test func aRestartedAgentAdoptsTheCommittedProcessRatherThanStartASecondOne() throws {
        let host = try HostFixture()
        defer { #expect(host.cleanUp()) }
        let control = try host.control()
        let first = try ModuleInstaller(layout: host.layout, processes: control)
        #expect(try host.install(first, "1.0").outcome == .installed)
        let pid = try #require(control.supervisors(of: host.module)["1.0"]?.status.process?.pid)
        first.release()
        control.shutdown()
        #expect(host.liveServices() == [pid])
        let next = try host.control()
        let installer = try ModuleInstaller(layout: host.layout, processes: next)
        defer { installer.release() }
        try next.resume(layout: host.layout, record: installer.core.record)
        let adopted = try #require(next.supervisors(of: host.module)["1.0"])
        #expect(adopted.status.adopted && adopted.status.process?.pid == pid)
        #expect(host.liveServices() == [pid])
        #expect(ServiceProbe.version(on: host.mainPort) == "1.0")
    }

    @Test func resumingEndsARecordedProcessOfAVersionThatMustNotRun() throws {
        let host = try HostFixture()
        defer { #expect(host.cleanUp()) }
        let control = try host.control()
        let first = try ModuleInstaller(layout: host.layout, processes: control)
        #expect(try host.install(first, "1.0").outcome == .installed)
        #expect(try host.install(first, "2.0").outcome == .installed)
        first.release()
        try control.start(module: host.module, version: "1.0", directory: host.layout.versionDirectory("1.0"), port: host.alternatePort)
        let committed = try #require(control.supervisors(of: host.module)["2.0"]?.status.process?.pid)
        #expect(eventually { ServiceProbe.version(on: host.alternatePort) == "1.0" })
        control.shutdown()
        #expect(try RecordedProcesses.read(host.layout).entries.map(\.version).sorted() == ["1.0", "2.0"])
        let next = try host.control()
        let installer = try ModuleInstaller(layout: host.layout, processes: next)
        defer { installer.release() }
        try next.resume(layout: host.layout, record: installer.core.record)
        #expect(eventually { host.liveServices() == [committed] })
        #expect(try RecordedProcesses.read(host.layout).entries.map(\.version) == ["2.0"])
        #expect(ServiceProbe.version(on: host.mainPort) == "2.0")
    }
}
