import Foundation
import Glibc
import HostInstall
import Locking
import ModuleInstallation
import Testing
import TestSupport

/// The two starts the install core takes as done (ensuring the target after a restart, starting
/// the previous version again) are probed by the installer only when they spawned a process;
/// a previous version that then fails its probe is stopped, not left running unclaimed.
@Suite struct StepProbeTests {
    /// Passes every call through, but fails the probe of the versions in `failing`; notes the
    /// versions probed.
    final class ProbeFailing: Sendable {
        let failing = Locked<Set<String>>([])
        let probed = Locked<[String]>([])
        let relay: RelayedProcesses

        init(_ inner: SupervisedProcesses) {
            let failing = failing, probed = probed
            relay = RelayedProcesses(inner) { (call, version, proceed) throws(ProcessControlFailure) in
                guard call == .probe else { return try proceed() }
                probed.withLock { $0.append(version) }
                guard !failing.withLock({ $0.contains(version) }) else { throw ProcessControlFailure("\(version) fails its probe here") }
                try proceed()
            }
        }
    }

    /// In place, 2.0 exits at once; 1.0, started again, fails its probe: the result says nothing
    /// runs, and nothing does.
    @Test func aPreviousVersionFailingItsProbeWhenStartedAgainIsStopped() throws {
        let host = try HostFixture()
        defer { #expect(host.cleanUp()) }
        let control = try host.control()
        let processes = ProbeFailing(control)
        let installer = try ModuleInstaller(layout: host.layout, processes: processes.relay)
        defer { installer.release() }
        #expect(try host.install(installer, "1.0").outcome == .installed)
        processes.failing.withLock { $0 = ["1.0"] }
        let result = try host.install(installer, "2.0", flavor: .exitsAtOnce)
        #expect(result.outcome == .failed && result.active == nil, "\(result)")
        #expect(result.reason?.contains("1.0 fails its probe here; it was stopped") == true, "\(result.reason ?? "")")
        #expect(control.supervisors(of: host.module).isEmpty)
        #expect(eventually { host.liveServices().isEmpty })
        #expect(try RecordedProcesses.read(host.layout).entries.isEmpty)
    }

    /// Blue-green 2.0 switched and committed to `current`, the agent gone before the old version's
    /// stop: the next agent adopts 2.0 running and finishes the install without probing it, so a
    /// probe failing then does not undo the switch.
    @Test func anAdoptedTargetPastTheCommitPointIsNotProbedAndTheInstallIsFinished() throws {
        let host = try HostFixture()
        defer { #expect(host.cleanUp()) }
        let control = try host.control()
        #expect(try host.installAlone(control, "1.0", .blueGreen).outcome == .installed)
        let point = CrashConvergenceTests.CrashPoint(strategy: .blueGreen, step: .stopPreviousAfterSwitch, afterAction: false)
        let crashing = CrashConvergenceTests.CrashingControl(control, host.layout, point)
        let doomed = try ModuleInstaller(layout: host.layout, processes: crashing)
        #expect(throws: InstallationError.self) { _ = try host.install(doomed, "2.0", .blueGreen) }
        doomed.release()
        control.shutdown()
        #expect(rmdir(crashing.blocker) == 0)

        let next = ProbeFailing(try host.control())
        next.failing.withLock { $0 = ["2.0"] }
        let installer = try ModuleInstaller(layout: host.layout, processes: next.relay)
        defer { installer.release() }
        let recovered = installer.recovered
        #expect(recovered.map(\.outcome) == [.interrupted], "\(recovered)")
        #expect(recovered.first?.active == ActiveVersion(version: "2.0", port: host.alternatePort), "\(recovered)")
        #expect(next.probed.withLock { $0 }.isEmpty)
        #expect(next.relay.inner.supervisors(of: host.module)["2.0"]?.status.adopted == true)
        #expect(eventually { ServiceProbe.version(on: host.alternatePort) == "2.0" })
        #expect(try host.layout.currentVersion() == "2.0")
        #expect(eventually { host.liveServices().count == 1 })
    }
}
