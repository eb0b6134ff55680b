import Dispatch
import Foundation
import Glibc
import HostInstall
import Locking
import ModuleInstallation
import Testing
import TestSupport

/// An agent stopping while its process control works: `shutdown` waits for the calls in flight
/// before it releases the directory lock, and an install the shutdown cut short is answered
/// `interrupted`, converged by the next agent, and runs again when sent again.
@Suite struct ShutdownTests {
    /// Passes every call through, but shuts the control down when the start of `version` comes.
    static func shuttingDown(_ inner: SupervisedProcesses, at version: String) -> RelayedProcesses {
        RelayedProcesses(inner) { (call, called, proceed) throws(ProcessControlFailure) in
            if call == .start && called == version { inner.shutdown() }
            try proceed()
        }
    }

    /// A stop in flight (a module that takes two seconds to end after SIGTERM) when the agent
    /// shuts down: `shutdown` returns once the stop has ended the module and forgotten its record,
    /// and only then may the next control take the directory.
    @Test func shutdownWaitsForAStopInFlightBeforeReleasingTheLock() throws {
        let host = try HostFixture()
        defer { #expect(host.cleanUp()) }
        let control = try host.control()
        #expect(try host.installAlone(control, flavor: .slowToStop(seconds: 2)).outcome == .installed)
        let stopped = Locked<Result<Void, ProcessControlFailure>?>(nil)
        let stopping = DispatchGroup()
        let module = host.module
        DispatchQueue.global().async(group: stopping) {
            let result = Result { () throws(ProcessControlFailure) in try control.stop(module: module, version: "1.0") }
            stopped.withLock { $0 = result }
        }
        // The stop takes the supervisor out first, then waits for the module to end.
        #expect(eventually { control.supervisors(of: host.module).isEmpty })
        control.shutdown()
        #expect(try RecordedProcesses.read(host.layout).entries.isEmpty)
        #expect(host.liveServices().isEmpty)
        _ = try host.control()
        stopping.wait()
        #expect(throws: Never.self) { try stopped.withLock { $0 }?.get() }
    }

    /// In place, the agent shuts down as 2.0 is about to start (1.0 already stopped): the answer is
    /// `interrupted`, the record keeps the operation in flight, the next agent switches back to
    /// 1.0 and records `interrupted`, and the same command then installs 2.0.
    @Test func anInstallCutShortByAShutdownIsInterruptedAndRunsAgainWhenSentAgain() throws {
        let host = try HostFixture()
        defer { #expect(host.cleanUp()) }
        let control = try host.control()
        #expect(try host.installAlone(control).outcome == .installed)
        let doomed = try ModuleInstaller(layout: host.layout, processes: Self.shuttingDown(control, at: "2.0"))
        let command = host.command(.install(version: "2.0"))
        let artifact = try host.artifact("2.0")
        let answer = try doomed.perform(command, artifact: artifact)
        doomed.release()
        #expect(answer.map(\.outcome) == [.interrupted], "\(answer)")
        #expect(answer.first?.reason?.contains("the agent shut down during 'start'") == true, "\(answer)")
        let record = try #require(try host.layout.readState())
        #expect(record.intent?.step == .startTarget && !record.completed.contains { $0.operation == command.operation }, "\(record)")

        let next = try host.control()
        let installer = try ModuleInstaller(layout: host.layout, processes: next)
        defer { installer.release() }
        #expect(installer.recovered.map(\.outcome) == [.interrupted], "\(installer.recovered)")
        try next.resume(layout: host.layout, record: installer.core.record)
        #expect(eventually { ServiceProbe.version(on: host.mainPort) == "1.0" })
        let again = try installer.perform(command, artifact: artifact)
        #expect(again.map(\.outcome) == [.installed] && again.first?.active == ActiveVersion(version: "2.0", port: host.mainPort),
                "\(again)")
        #expect(eventually { ServiceProbe.version(on: host.mainPort) == "2.0" })
    }
}
