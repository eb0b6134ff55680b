import Dispatch
import Foundation
import Glibc
import Modules
import ModuleSupervision
import Testing
import TestSupport

/// What a supervisor says about itself beyond the process: its log lines that could not be
/// written are counted in its status, and letting go of it ends a wait for health in flight.
@Suite struct SupervisorNotesTests {
    /// The log is on a file system filled after it was opened: the supervisor's lines at the
    /// start and the stop cannot be written, and the status counts them.
    @Test func logLinesThatCannotBeWrittenAreCountedInTheStatus() throws {
        let mount = try TmpfsMount.makeOrCancel(sizeBytes: 64 << 10)
        defer { mount.unmount() }
        let fixture = try SupervisionFixture()
        let supervisor = try ModuleSupervisor(launch: try fixture.shellLaunch("exec sleep 1000"), logDirectory: mount.path,
                                              policy: SupervisionFixture.quickPolicy)
        try Self.fill(mount.path + "/filler")
        try supervisor.start()
        #expect(supervisor.status.logNotesDropped >= 1)
        supervisor.stop(grace: .seconds(10))
        #expect(supervisor.status.logNotesDropped >= 3, "\(supervisor.status)")
    }

    /// A wait for health with two minutes left, on a module whose probe never passes, ends as
    /// `stopped` when the supervisor is let go of (as `SupervisedProcesses.shutdown` does).
    @Test func lettingGoEndsAWaitForHealthInFlight() throws {
        let fixture = try SupervisionFixture()
        let probe = ModuleManifest.Invocation(command: "/bin/sh", arguments: ["-c", "touch probed; exit 1"])
        let supervisor = try fixture.supervisor(try fixture.launch("/bin/sh", ["-c", "exec sleep 1000"], health: .command(probe)))
        try supervisor.start()
        let process = try #require(supervisor.status.process)
        defer { _ = try? ModuleSupervisor.terminate(recorded: process, grace: .seconds(10)) }
        let verdict = Outcome()
        let waited = DispatchGroup()
        DispatchQueue.global().async(group: waited) {
            verdict.set(supervisor.waitUntilHealthy(successesNeeded: 1, interval: .milliseconds(20),
                                                    deadline: SupervisionFixture.deadline(.seconds(120))))
        }
        #expect(eventually { FileManager.default.fileExists(atPath: fixture.versionDirectory + "/probed") })
        supervisor.letGo()
        waited.wait()
        #expect(verdict.value?.ending == .stopped)
        #expect(ProcessTable.isLive(process.pid), "letting go leaves the process running")
    }

    /// A verdict handed from the waiting thread.
    final class Outcome: @unchecked Sendable {
        private let lock = NSLock()
        private var verdict: HealthVerdict?

        var value: HealthVerdict? { lock.withLock { verdict } }

        func set(_ value: HealthVerdict) { lock.withLock { verdict = value } }
    }

    /// Writes to `path` until the file system is full.
    static func fill(_ path: String) throws {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        defer { close(descriptor) }
        let chunk = [UInt8](repeating: 0x78, count: 4096)
        for _ in 0..<4096 {
            let written = chunk.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            if written < 0 {
                guard errno == ENOSPC else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
                return
            }
        }
        Issue.record("\(path) never filled its file system")
    }
}
