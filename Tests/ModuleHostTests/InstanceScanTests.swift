import Foundation
import Glibc
import HostInstall
@testable import ModuleInstallation
import Modules
import ModuleSupervision
import Testing
import TestSupport

/// The scan for a version's unrecorded processes (`InstanceScan`): a module that left its
/// directory, replaced or outgrew its environment is still found; several candidates are none
/// adopted; another user's process carrying the id is left alone; one scan per call.
@Suite struct InstanceScanTests {
    /// The pending entry of a module that changed its working directory, whose environment
    /// `env -i` replaced (found by its log), or whose environment grew past 64 KiB with its output
    /// elsewhere (found by the instance id at the start of its environment): the next control adopts it.
    @Test(arguments: [HostFixture.Flavor.changesDirectory, .clearsEnvironment, .largeEnvironment])
    func aModuleThatLeftItsDirectoryOrEnvironmentIsAdoptedByTheNextControl(_ flavor: HostFixture.Flavor) throws {
        let host = try HostFixture()
        defer { #expect(host.cleanUp()) }
        let (entry, pid) = try InstanceRecoveryTests.installAndRewrite(host, flavor: flavor) { _ in RecordedProcesses.pendingProcess }
        let next = try host.control()
        let started = try next.start(module: host.module, version: "1.0", directory: host.layout.versionDirectory("1.0"), port: entry.port)
        #expect(started == .adopted)
        #expect(next.supervisors(of: host.module)["1.0"]?.status.process?.pid == pid)
        #expect(host.liveServices() == [pid])
    }

    /// The module's leader and a `setsid` descendant both carry the instance id: neither is
    /// adopted (either may be the wrong one); both are ended and the version is started again,
    /// and its log says why.
    @Test func twoProcessesCarryingTheInstanceAreNeitherAdoptedButEndedAndStartedAgain() throws {
        try Prerequisite.requireTools("setsid")
        let host = try HostFixture()
        defer { #expect(host.cleanUp()) }
        let (entry, pid) = try InstanceRecoveryTests.installAndRewrite(host, flavor: .startsDescendant) { _ in
            RecordedProcesses.pendingProcess
        }
        let file = "\(host.layout.versionDirectory("1.0"))/descendant.pid"
        let text = try String(contentsOfFile: file, encoding: .utf8)
        let descendant = try #require(Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)))
        defer { kill(descendant, SIGKILL) }
        #expect(eventually { HostFixture.isLive(descendant) && HostFixture.sessionLeader(descendant) })
        let next = try host.control()
        let started = try next.start(module: host.module, version: "1.0", directory: host.layout.versionDirectory("1.0"), port: entry.port)
        #expect(started == .spawned)
        let supervisor = try #require(next.supervisors(of: host.module)["1.0"])
        #expect(!supervisor.status.adopted && supervisor.status.process?.pid != pid)
        #expect(eventually { !HostFixture.isLive(pid) && !HostFixture.isLive(descendant) })
        let log = try String(contentsOfFile: supervisor.log.path, encoding: .utf8)
        #expect(log.contains("2 processes carry \(host.module) 1.0's instance") && log.contains("adopting none"), "\(log)")
    }

    /// A process of another user whose environment carries the instance id, a session leader in
    /// the version directory, is not the module's: it is neither adopted nor ended.
    @Test func anotherUsersProcessCarryingTheInstanceIsLeftAlone() throws {
        try Prerequisite.require(geteuid() == 0, "needs root to start a process as another user")
        try Prerequisite.requireTools("setpriv", "setsid", "sleep")
        let host = try HostFixture()
        defer { #expect(host.cleanUp()) }
        let (entry, pid) = try InstanceRecoveryTests.installAndRewrite(host) { _ in RecordedProcesses.pendingProcess }
        HostFixture.killAndReap(pid)
        #expect(eventually { !HostFixture.isLive(pid) })
        // Under `env -i` the environment is just these, so the instance is where the scan reads.
        let marker = "\(ModuleLaunch.instanceVariable)=\(ModuleLaunch.instanceText(entry.instance))"
        let foreign = try Subprocess(["/usr/bin/env", "-i", "PATH=\(ModuleLaunch.searchPath)", "HOTSWAP_MODULE=\(host.module)", marker,
                                      "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "setsid", "sleep", "1000"],
                                     workingDirectory: host.layout.versionDirectory("1.0"), standardOutput: .null, standardError: .null)
        defer { foreign.kill() }
        // In this process's group, `setsid` does not fork: the sleeper keeps the child's pid.
        let sleeper = foreign.pid
        #expect(eventually { Self.isSessionLeadingSleep(sleeper) && HostFixture.environment(sleeper).contains(marker) })
        let next = try host.control()
        let started = try next.start(module: host.module, version: "1.0", directory: host.layout.versionDirectory("1.0"), port: entry.port)
        #expect(started == .spawned)
        #expect(next.supervisors(of: host.module)["1.0"]?.status.process?.pid != sleeper)
        #expect(HostFixture.isLive(sleeper))
    }

    /// A start whose pending entry's process is gone scans `/proc` once, not once to adopt and
    /// again to end what it found.
    @Test func aStartScansOnce() throws {
        let host = try HostFixture()
        defer { #expect(host.cleanUp()) }
        let (entry, pid) = try InstanceRecoveryTests.installAndRewrite(host) { _ in RecordedProcesses.pendingProcess }
        HostFixture.killAndReap(pid)
        #expect(eventually { !HostFixture.isLive(pid) })
        let next = try host.control()
        #expect(try next.start(module: host.module, version: "1.0", directory: host.layout.versionDirectory("1.0"), port: entry.port)
            == .spawned)
        #expect(next.scans.withLock { $0 } == 1)
    }

    /// The instance id comes within the environment's first `environPrefixBytes`, whatever the
    /// manifest's name, version and port.
    @Test func theInstanceIsWithinTheEnvironmentPrefixTheScanReads() throws {
        let name = "m" + String(repeating: "a", count: ManifestLimits.nameBytesMaximum - 1)
        let version = "1." + String(repeating: "9", count: ManifestLimits.versionBytesMaximum - 2)
        let manifest = ModuleManifest(name: name, version: version, start: .init(command: "/bin/true"), port: 65535)
        let launch = try ModuleLaunch(directory: "/nonexistent", manifest: manifest, port: 65535, instance: .max)
        let environment = launch.environment(of: manifest.start)
        let index = try #require(environment.firstIndex { $0.hasPrefix("\(ModuleLaunch.instanceVariable)=") })
        let bytes = environment[...index].reduce(0) { $0 + $1.utf8.count + 1 }
        #expect(bytes <= InstanceScan.environPrefixBytes)
    }

    /// Of an environment read up to its limit, an entry the limit cut is left out.
    @Test func anEntryCutByThePrefixIsLeftOut() {
        let whole = Array("A=1\u{0}B=2\u{0}".utf8)
        #expect(InstanceScan.entries(whole, prefixOf: 64).map { String(decoding: $0, as: UTF8.self) } == ["A=1", "B=2"])
        let cut = Array("A=1\u{0}B=22".utf8)
        #expect(InstanceScan.entries(cut, prefixOf: cut.count).map { String(decoding: $0, as: UTF8.self) } == ["A=1"])
    }

    /// A process of this user whose files cannot be read fails the scan; one that is gone does not.
    @Test func anUnreadableProcessOfThisUserIsAFailureAndAGoneOneIsNot() {
        #expect(InstanceScan.failure(EACCES, "/proc/1/environ") != nil)
        #expect(InstanceScan.failure(EPERM, "/proc/1/environ") != nil)
        #expect(InstanceScan.failure(ENOENT, "/proc/1/environ") == nil)
        #expect(InstanceScan.failure(ESRCH, "/proc/1/environ") == nil)
    }

    static func isSessionLeadingSleep(_ pid: Int32) -> Bool {
        guard HostFixture.sessionLeader(pid), let bytes = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return false }
        return String(decoding: bytes.filter { $0 != 0 }, as: UTF8.self) == "sleep1000"
    }
}
