import Foundation
import Glibc
import HostInstall
@testable import ModuleInstallation
import ModuleSupervision
import Testing
import TestSupport

/// What a crash between a spawn and its record leaves, and the checks around a start: the
/// pending entry and `HOTSWAP_INSTANCE` find the process, the bound and a busy port refuse the
/// start, a second control on the directory is refused, a damaged processes file fails every call.
@Suite struct InstanceRecoveryTests {
    /// Installs 1.0, then rewrites its entry to what the crash window leaves: `process(entry)`,
    /// the same instance id; the control is shut down (the process keeps serving).
    static func installAndRewrite(_ host: HostFixture, flavor: HostFixture.Flavor = .good,
                                  _ process: (RecordedProcesses.Entry) -> RecordedProcess) throws
        -> (entry: RecordedProcesses.Entry, pid: Int32) {
        let control = try host.control()
        #expect(try host.installAlone(control, flavor: flavor).outcome == .installed)
        control.shutdown()
        let entry = try #require(try RecordedProcesses.read(host.layout).entry(for: "1.0"))
        #expect(entry.instance != 0 && !entry.isPending)
        #expect(host.liveServices() == [entry.process.pid])
        let rewritten = RecordedProcesses.Entry(version: "1.0", port: entry.port, process: process(entry), instance: entry.instance)
        try RecordedProcesses(entries: [rewritten]).write(host.layout)
        return (entry, entry.process.pid)
    }

    @Test func aProcessSpawnedButNotRecordedIsFoundByItsInstanceAndStopped() throws {
        let host = try HostFixture()
        defer { #expect(host.cleanUp()) }
        _ = try Self.installAndRewrite(host) { _ in RecordedProcesses.pendingProcess }
        let next = try host.control()
        try next.stop(module: host.module, version: "1.0")
        #expect(host.liveServices().isEmpty)
        #expect(try RecordedProcesses.read(host.layout).entries.isEmpty)
    }

    @Test func aProcessSpawnedButNotRecordedIsAdoptedByItsInstance() throws {
        let host = try HostFixture()
        defer { #expect(host.cleanUp()) }
        let (entry, pid) = try Self.installAndRewrite(host) { _ in RecordedProcesses.pendingProcess }
        let next = try host.control()
        try next.start(module: host.module, version: "1.0", directory: host.layout.versionDirectory("1.0"), port: entry.port)
        #expect(next.supervisors(of: host.module)["1.0"]?.status.adopted == true)
        #expect(host.liveServices() == [pid])
        #expect(eventually(timeout: .seconds(30)) { (try? RecordedProcesses.read(host.layout).entry(for: "1.0")?.process.pid) == pid })
    }

    /// `kill -9` of the module, the supervisor's restart recorded, the agent shut down: the next
    /// control adopts the restarted process, by its recorded pid or (when `forgetRestart` puts
    /// the dead pid back, as an agent killed before the recorder wrote leaves it) by its instance.
    @Test(arguments: [false, true]) func aRestartedModuleIsAdoptedByTheNextControl(forgetRestart: Bool) throws {
        let host = try HostFixture()
        defer { #expect(host.cleanUp()) }
        let control = try host.control()
        let installer = try ModuleInstaller(layout: host.layout, processes: control)
        #expect(try host.install(installer, "1.0").outcome == .installed)
        installer.release()
        let first = try #require(try RecordedProcesses.read(host.layout).entry(for: "1.0"))
        #expect(kill(first.process.pid, SIGKILL) == 0)
        #expect(eventually(timeout: .seconds(30)) {
            let pid = try? RecordedProcesses.read(host.layout).entry(for: "1.0")?.process.pid
            return pid != nil && pid != first.process.pid && host.liveServices() == [pid ?? 0]
        })
        control.shutdown()
        let restarted = try #require(host.liveServices().first)
        if forgetRestart { try RecordedProcesses(entries: [first]).write(host.layout) }
        let next = try host.control()
        let record = try #require(try host.layout.readState())
        try next.resume(layout: host.layout, record: record)
        #expect(next.supervisors(of: host.module)["1.0"]?.status.adopted == true)
        #expect(next.supervisors(of: host.module)["1.0"]?.status.process?.pid == restarted)
        #expect(host.liveServices() == [restarted])
    }

    @Test func aWriteThatFailsBeforeTheSpawnLeavesNoProcess() throws {
        let host = try HostFixture()
        defer { #expect(host.cleanUp()) }
        let control = try host.control()
        let installer = try ModuleInstaller(layout: host.layout, processes: control)
        #expect(try host.install(installer, "1.0").outcome == .installed)
        installer.release()
        try control.stop(module: host.module, version: "1.0")
        let blocker = RecordedProcesses.path(in: host.layout) + ".tmp"
        #expect(mkdir(blocker, 0o700) == 0)
        #expect(throws: ProcessControlFailure.self) {
            try control.start(module: host.module, version: "1.0", directory: host.layout.versionDirectory("1.0"), port: host.mainPort)
        }
        #expect(host.liveServices().isEmpty)
        #expect(rmdir(blocker) == 0)
    }

    @Test func aFullProcessesFileRefusesTheStartAndEvictsNothing() throws {
        let host = try HostFixture()
        defer { #expect(host.cleanUp()) }
        let entries = (0..<RecordedProcesses.entriesMaximum).map {
            RecordedProcesses.Entry(version: "0.\($0)", port: nil, process: RecordedProcesses.pendingProcess, instance: UInt64($0 + 1))
        }
        try host.layout.prepare()
        try RecordedProcesses(entries: entries).write(host.layout)
        let control = try host.control()
        let refusal = #expect(throws: ProcessControlFailure.self) {
            try control.start(module: host.module, version: "1.0", directory: host.layout.versionDirectory("1.0"), port: host.mainPort)
        }
        #expect(refusal?.description.contains("recorded already") == true, "\(String(describing: refusal))")
        #expect(try RecordedProcesses.read(host.layout).entries == entries)
    }

    @Test func aBusyPortRefusesTheStart() throws {
        let host = try HostFixture()
        defer { #expect(host.cleanUp()) }
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(listener) }
        var one: Int32 = 1
        setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = host.port.port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        #expect(bound == 0 && listen(listener, 1) == 0)
        try host.layout.prepare()
        let control = try host.control()
        let refusal = #expect(throws: ProcessControlFailure.self) {
            try control.start(module: host.module, version: "1.0", directory: host.layout.versionDirectory("1.0"), port: host.mainPort)
        }
        #expect(refusal?.description.contains("port \(host.mainPort) is in use") == true, "\(String(describing: refusal))")
        #expect(try RecordedProcesses.read(host.layout).entries.isEmpty)
    }

    /// Only EADDRINUSE reads as in use: a bind test failing otherwise (an address this host does
    /// not have) says what failed.
    @Test func aPortCheckFailingForAnotherReasonIsNotReportedAsInUse() throws {
        let refusal = try #require(SupervisedProcesses.portRefusal(host: "192.0.2.1", port: 8080))
        #expect(!refusal.contains("in use") && refusal.contains(String(cString: strerror(EADDRNOTAVAIL))), "\(refusal)")
    }

    @Test func aSecondControlOnTheDirectoryIsRefusedUntilTheFirstShutsDown() throws {
        let host = try HostFixture()
        defer { #expect(host.cleanUp()) }
        let first = try host.control()
        #expect(throws: InstallationError.self) { _ = try host.control() }
        first.shutdown()
        #expect(throws: ProcessControlFailure.self) { try first.stop(module: host.module, version: "1.0") }
        _ = try host.control()
    }

    /// A damaged file fails every call on the module rather than be read as no processes; the
    /// operator's remedy (Docs/MODULES.md) is to end the module's processes and remove the file.
    @Test func aDamagedProcessesFileFailsTheCallsOfItsModule() throws {
        let host = try HostFixture()
        defer { #expect(host.cleanUp()) }
        try host.layout.prepare()
        try Data("not a processes file".utf8).write(to: URL(fileURLWithPath: RecordedProcesses.path(in: host.layout)))
        let control = try host.control()
        let failure = #expect(throws: ProcessControlFailure.self) { try control.stop(module: host.module, version: "1.0") }
        #expect(failure?.description.contains(RecordedProcesses.path(in: host.layout)) == true, "\(String(describing: failure))")
        #expect(unlink(RecordedProcesses.path(in: host.layout)) == 0)
    }
}
