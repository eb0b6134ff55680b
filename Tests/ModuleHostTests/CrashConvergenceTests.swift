import Foundation
import Glibc
import HostInstall
import Locking
import ModuleInstallation
import Testing
import TestSupport

/// Crash convergence on real processes: for each step the install core persists, the installer
/// is driven until the record on disk is at that step and then dropped as `kill -9` would leave
/// the agent's work: the processes keep running, the files stay, nothing is stopped. A new
/// process control and installer on the same directory must recover to exactly one running
/// version (seen in `/proc`), serving on the committed port, with `current` as the record says.
/// This drops the installer inside the test process rather than killing a separate agent
/// process; killing a real agent with SIGKILL is tested once the agent runs the installer.
@Suite(.serialized) struct CrashConvergenceTests {
    /// Where the agent "dies": the step on disk when a process call comes, whether that call is
    /// taken first, and how the state is then moved to a step with no process call of its own
    /// (`unpack`, `link`, `rollbackLink`: the record rewritten to that step, as the core persists it).
    struct CrashPoint: Sendable, CustomTestStringConvertible {
        var strategy: InstallStrategy = .inPlace
        var failing = false
        var step: InstallStep
        var afterAction: Bool
        var rewrite: InstallStep?
        var switchCurrent = false
        /// The version that must run afterwards (on the main port for 1.0, the alternate for a blue-green 2.0).
        var expected = "1.0"

        var testDescription: String {
            let shown = rewrite.map { "\($0)" + (switchCurrent ? " (current switched)" : "") } ?? "\(step)"
            return "\(strategy == .inPlace ? "in place" : "blue-green")\(failing ? ", failing" : ""): \(shown), "
                + "\(afterAction ? "after" : "before") the action"
        }
    }

    static let points: [CrashPoint] = [
        CrashPoint(step: .stopPrevious, afterAction: false, rewrite: .unpack),
        CrashPoint(step: .stopPrevious, afterAction: false),
        CrashPoint(step: .stopPrevious, afterAction: true),
        CrashPoint(step: .startTarget, afterAction: false),
        CrashPoint(step: .startTarget, afterAction: true),
        CrashPoint(step: .probeTarget, afterAction: true),
        CrashPoint(step: .probeTarget, afterAction: true, rewrite: .link),
        CrashPoint(step: .probeTarget, afterAction: true, rewrite: .link, switchCurrent: true),
        CrashPoint(strategy: .blueGreen, step: .startTarget, afterAction: true),
        CrashPoint(strategy: .blueGreen, step: .probeTarget, afterAction: true),
        CrashPoint(strategy: .blueGreen, step: .probeTarget, afterAction: true, rewrite: .link, switchCurrent: true),
        CrashPoint(strategy: .blueGreen, step: .stopPreviousAfterSwitch, afterAction: false, expected: "2.0"),
        CrashPoint(strategy: .blueGreen, step: .stopPreviousAfterSwitch, afterAction: true, expected: "2.0"),
        CrashPoint(failing: true, step: .rollbackStopTarget, afterAction: false),
        CrashPoint(failing: true, step: .rollbackStopTarget, afterAction: true),
        CrashPoint(failing: true, step: .rollbackStopTarget, afterAction: true, rewrite: .rollbackLink),
        CrashPoint(failing: true, step: .rollbackStartPrevious, afterAction: false),
        CrashPoint(failing: true, step: .rollbackStartPrevious, afterAction: true),
    ]

    /// Takes each call through, until the record on disk is at the crash step: then (after the
    /// call, when asked) it makes every later write of the record fail, by putting a directory
    /// where the record's temporary file goes, and fails the call, so the installer stops there.
    final class CrashingControl: ModuleProcessControl {
        let inner: SupervisedProcesses
        let layout: ModuleLayout
        let point: CrashPoint
        let crashed = Locked(false)

        init(_ inner: SupervisedProcesses, _ layout: ModuleLayout, _ point: CrashPoint) {
            self.inner = inner
            self.layout = layout
            self.point = point
        }

        var blocker: String { layout.statePath + ".tmp" }

        func start(module: String, version: String, directory: String, port: Int?) throws(ProcessControlFailure) -> ProcessStart {
            var started = ProcessStart.spawned
            try call { () throws(ProcessControlFailure) in
                started = try inner.start(module: module, version: version, directory: directory, port: port)
            }
            return started
        }

        func stop(module: String, version: String) throws(ProcessControlFailure) {
            try call { () throws(ProcessControlFailure) in try inner.stop(module: module, version: version) }
        }

        func probe(module: String, version: String, directory: String, port: Int?) throws(ProcessControlFailure) {
            try call { () throws(ProcessControlFailure) in
                try inner.probe(module: module, version: version, directory: directory, port: port)
            }
        }

        private func call(_ action: () throws(ProcessControlFailure) -> Void) throws(ProcessControlFailure) {
            let step: InstallStep?
            do { step = try layout.readState()?.intent?.step } catch { throw ProcessControlFailure("\(error)") }
            guard step == point.step, !crashed.withLock({ $0 }) else { return try action() }
            crashed.withLock { $0 = true }
            if point.afterAction { try action() }
            guard mkdir(blocker, 0o700) == 0 else { throw ProcessControlFailure("mkdir \(blocker) failed") }
            throw ProcessControlFailure("the agent is killed here")
        }
    }

    @Test(arguments: points) func aDroppedInstallerConvergesToOneRunningVersion(_ point: CrashPoint) throws {
        let host = try HostFixture()
        defer { #expect(host.cleanUp()) }
        let control = try host.control()
        let first = try ModuleInstaller(layout: host.layout, processes: control)
        #expect(try host.install(first, "1.0").outcome == .installed)
        first.release()
        let crashing = CrashingControl(control, host.layout, point)
        let doomed = try ModuleInstaller(layout: host.layout, processes: crashing)
        #expect(throws: InstallationError.self) {
            _ = try host.install(doomed, "2.0", point.strategy, flavor: point.failing ? .exitsAtOnce : .good)
        }
        doomed.release()
        control.shutdown()
        #expect(crashing.crashed.withLock { $0 })
        #expect(rmdir(crashing.blocker) == 0)
        try Self.move(host.layout, to: point)

        let next = try host.control()
        let installer = try ModuleInstaller(layout: host.layout, processes: next)
        defer { installer.release() }
        try next.resume(layout: host.layout, record: installer.core.record)
        let port = point.expected == "1.0" ? host.mainPort : host.alternatePort
        let record = try #require(try host.layout.readState())
        #expect(record.intent == nil && record.committed == ActiveVersion(version: point.expected, port: port), "\(record)")
        #expect(installer.recovered.count == 1, "\(installer.recovered)")
        #expect(try host.layout.currentVersion() == point.expected)
        #expect(eventually(timeout: .seconds(30)) { host.liveServices().count == 1 }, "\(host.liveServices())")
        #expect(eventually(timeout: .seconds(30)) { ServiceProbe.version(on: port) == point.expected })
        let recorded = try RecordedProcesses.read(host.layout).entries
        #expect(recorded.map(\.version) == [point.expected] && recorded.map(\.process.pid) == host.liveServices())
    }

    /// Moves the record to a step that takes no process call, as the core persists it.
    static func move(_ layout: ModuleLayout, to point: CrashPoint) throws {
        guard let step = point.rewrite else { return }
        var record = try #require(try layout.readState())
        var intent = try #require(record.intent)
        intent.step = step
        if step == .unpack { intent.targetPort = nil }
        record.intent = intent
        try layout.writeState(record)
        if point.switchCurrent { try layout.link(intent.target) }
    }
}
