import Foundation
import Glibc
import Modules
import ModuleSupervision
import Testing
import TestSupport

/// The supervisor with real processes: the sample service started on its assigned port and
/// probed healthy; `kill -9` answered by a restart; a command that exits at once ending in a
/// crash loop with growing waits; a stop that leaves nothing of the group, even what ignores
/// SIGTERM; the log held to its bound.
@Suite struct ModuleSupervisorTests {
    @Test func startsTheSampleServiceOnItsAssignedPortInItsOwnGroupAndWaitsHealthy() throws {
        let fixture = try SupervisionFixture()
        let reservation = try #require(LoopbackPort.Reservation())
        defer { reservation.release() }
        let supervisor = try fixture.supervisor(try fixture.sampleLaunch(port: reservation.port))
        defer { supervisor.stop(grace: .seconds(10)) }
        try supervisor.start()
        let verdict = supervisor.waitUntilHealthy(successesNeeded: 2, interval: .milliseconds(50), deadline: SupervisionFixture.deadline())
        #expect(verdict.ending == .healthy, "\(verdict)")
        #expect(verdict.successesInARow == 2 && verdict.tries >= 2 && verdict.lastSuccessLatency != nil)
        let process = try #require(supervisor.status.process)
        #expect(supervisor.status.state == .running && !supervisor.status.adopted)
        #expect(ProcessTable.processGroup(process.pid) == process.pid)
        #expect(ProcessTable.startTime(process.pid) == process.startTime)
        #expect(ProcessTable.environment(process.pid) == [
            "PATH=/usr/local/bin:/usr/bin:/bin", "HOTSWAP_MODULE=sample-service", "HOTSWAP_VERSION=1.0.0",
            "HOTSWAP_PORT=\(reservation.port)",
        ])
        let workingDirectory = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(process.pid)/cwd")
        #expect(workingDirectory == (fixture.versionDirectory as NSString).resolvingSymlinksInPath)
        let once = try #require(supervisor.probeOnce(timeout: .seconds(10)))
        #expect(once.healthy && once.detail == "HTTP 200" && once.latency != nil)
    }

    @Test func aProcessKilledWithSIGKILLIsRestartedAndHealthyAgain() throws {
        let fixture = try SupervisionFixture()
        let reservation = try #require(LoopbackPort.Reservation())
        defer { reservation.release() }
        let supervisor = try fixture.supervisor(try fixture.sampleLaunch(port: reservation.port))
        defer { supervisor.stop(grace: .seconds(10)) }
        try supervisor.start()
        let first = try #require(supervisor.status.process)
        let started = supervisor.waitUntilHealthy(successesNeeded: 1, interval: .milliseconds(50), deadline: SupervisionFixture.deadline())
        #expect(started.isHealthy, "\(started)")
        kill(first.pid, SIGKILL)
        #expect(eventually(timeout: .seconds(60)) { supervisor.status.restarts == 1 && supervisor.status.state == .running })
        let second = try #require(supervisor.status.process)
        #expect(second.pid != first.pid)
        #expect(supervisor.status.lastExit?.process == first && supervisor.status.lastExit?.status?.signal == SIGKILL)
        let verdict = supervisor.waitUntilHealthy(successesNeeded: 1, interval: .milliseconds(50), deadline: SupervisionFixture.deadline())
        #expect(verdict.ending == .healthy, "\(verdict)")
        let log = try String(contentsOfFile: supervisor.log.path, encoding: .utf8)
        #expect(log.contains("pid \(first.pid) was killed by signal 9"), "\(log)")
    }

    @Test func aCommandThatExitsAtOnceEndsInACrashLoopWithGrowingWaits() throws {
        let fixture = try SupervisionFixture()
        var policy = SupervisionFixture.quickPolicy
        policy.quickFailuresMaximum = 4
        let supervisor = try fixture.supervisor(try fixture.shellLaunch("exit 3"), policy: policy)
        defer { supervisor.stop(grace: .seconds(10)) }
        try supervisor.start()
        #expect(eventually(timeout: .seconds(60)) { supervisor.status.state == .crashLooping })
        let status = supervisor.status
        #expect(status.restarts == 3 && status.runs == 4 && status.crashesInARow == 4 && status.process == nil)
        #expect(status.lastExit?.status?.code == 3)
        let waits = status.events.compactMap { event -> Duration? in
            if case let .restartScheduled(wait) = event { return wait }
            return nil
        }
        #expect(waits == [.milliseconds(20), .milliseconds(40), .milliseconds(80)])
        #expect(status.events.last == .crashLooping(crashesInARow: 4))
        let verdict = supervisor.waitUntilHealthy(successesNeeded: 1, interval: .milliseconds(10), deadline: SupervisionFixture.deadline())
        #expect(verdict.ending == .crashLooping)
    }

    @Test func waitingForHealthEndsWhenTheProcessEndsRatherThanAtTheDeadline() throws {
        let fixture = try SupervisionFixture()
        let port = try #require(LoopbackPort.vacant())
        let launch = try fixture.launch("/bin/sh", ["-c", "sleep 0.3; exit 1"], health: .http(path: "/healthz", port: Int(port)))
        let supervisor = try fixture.supervisor(launch)
        defer { supervisor.stop(grace: .seconds(10)) }
        try supervisor.start()
        let verdict = supervisor.waitUntilHealthy(successesNeeded: 1, interval: .milliseconds(20),
                                                  deadline: SupervisionFixture.deadline(.seconds(3600)))
        #expect(verdict.ending == .processEnded || verdict.ending == .crashLooping, "\(verdict)")
        #expect(verdict.lastFailure?.contains("connect") == true, "\(verdict)")
    }

    @Test func stopEndsTheWholeGroupEvenWhatIgnoresSIGTERM() throws {
        let fixture = try SupervisionFixture()
        let script = "trap '' TERM; sleep 1000 & echo $! > grandchild.pid; wait"
        let supervisor = try fixture.supervisor(try fixture.shellLaunch(script))
        try supervisor.start()
        let leader = try #require(supervisor.status.process).pid
        #expect(eventually { fixture.pid(in: "grandchild.pid") != nil })
        let grandchild = try #require(fixture.pid(in: "grandchild.pid"))
        #expect(ProcessTable.processGroup(grandchild) == leader && ProcessTable.isLive(grandchild))
        supervisor.stop(grace: .milliseconds(200))
        #expect(supervisor.status.state == .stopped && supervisor.status.process == nil)
        #expect(supervisor.status.lastExit?.status?.signal == SIGKILL)
        #expect(!ProcessTable.isLive(leader))
        #expect(eventually { ProcessTable.liveMembers(ofGroup: leader).isEmpty && !ProcessTable.isLive(grandchild) })
        supervisor.stop(grace: .milliseconds(200))
        #expect(throws: SupervisionError.alreadyStarted) { try supervisor.start() }
    }

    @Test func aModuleWritingPastItsLogBoundLeavesAtMostTheBound() throws {
        let fixture = try SupervisionFixture()
        var policy = SupervisionFixture.quickPolicy
        policy.logFileBytesMaximum = 64 << 10
        let script = "i=0; while [ $i -lt 100 ]; do head -c 4095 /dev/zero | tr '\\0' x; echo; i=$((i+1)); done; "
            + "echo written > done; exec sleep 1000"
        let supervisor = try fixture.supervisor(try fixture.shellLaunch(script), policy: policy)
        try supervisor.start()
        let log = supervisor.log
        let size = { (path: String) -> Int in
            ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int) ?? 0
        }
        #expect(eventually(timeout: .seconds(60)) {
            FileManager.default.fileExists(atPath: fixture.versionDirectory + "/done") && size(log.path) < policy.logFileBytesMaximum
        })
        supervisor.stop(grace: .seconds(10))
        #expect(size(log.previousPath) == policy.logFileBytesMaximum)
        #expect(size(log.path) + size(log.previousPath) <= 2 * policy.logFileBytesMaximum)
        let previous = try String(contentsOfFile: log.previousPath, encoding: .utf8)
        #expect(previous.contains(String(repeating: "x", count: 4095)))
    }
}
