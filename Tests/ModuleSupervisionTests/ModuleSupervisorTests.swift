import Foundation
import Glibc
import Modules
import ModuleSupervision
import Testing
import TestSupport

/// The supervisor with real processes: the sample service started on its assigned port and
/// probed healthy; `kill -9` answered by a restart; a command that exits at once ending in a
/// crash loop with growing waits; what outlives a crashed leader killed before the restart; a stop
/// that leaves nothing of the group, even what ignores SIGTERM, and lets a member that handles it
/// finish; no inherited descriptor; the log held to its bound.
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
        // The module ends only once the first probe has run (and failed): no race with the probe.
        let probe = ModuleManifest.Invocation(command: "/bin/sh", arguments: ["-c", "touch probed; exit 1"])
        let launch = try fixture.launch("/bin/sh", ["-c", "while [ ! -e probed ]; do sleep 0.05; done; exit 1"], health: .command(probe))
        let supervisor = try fixture.supervisor(launch)
        defer { supervisor.stop(grace: .seconds(10)) }
        try supervisor.start()
        let verdict = supervisor.waitUntilHealthy(successesNeeded: 1, interval: .milliseconds(20),
                                                  deadline: SupervisionFixture.deadline(.seconds(3600)))
        #expect(verdict.ending == .processEnded || verdict.ending == .crashLooping, "\(verdict)")
        #expect(verdict.lastFailure == "exited with status 1", "\(verdict)")
    }

    @Test func whatOutlivesACrashedLeaderIsKilledBeforeTheRestart() throws {
        let fixture = try SupervisionFixture()
        let script = "if [ -e left.pid ]; then exec sleep 1000; fi; sleep 1000 & echo $! > left.pid; exit 1"
        let supervisor = try fixture.supervisor(try fixture.shellLaunch(script))
        defer { supervisor.stop(grace: .seconds(10)) }
        try supervisor.start()
        let first = try #require(supervisor.status.process)
        #expect(eventually(timeout: .seconds(60)) { supervisor.status.restarts == 1 && supervisor.status.state == .running })
        let left = try #require(fixture.pid(in: "left.pid"))
        #expect(eventually { !ProcessTable.isLive(left) && ProcessTable.liveMembers(ofGroup: first.pid).isEmpty })
        let log = try String(contentsOfFile: supervisor.log.path, encoding: .utf8)
        #expect(log.contains("1 process(es) of group \(first.pid) outlived its leader"), "\(log)")
    }

    @Test func stopWaitsForAMemberThatHandlesSIGTERMToFinish() throws {
        let fixture = try SupervisionFixture()
        let member = "trap 'sleep 0.2; echo finished > member.out; exit 0' TERM; echo \\$\\$ > member.pid; while :; do sleep 0.05; done"
        let supervisor = try fixture.supervisor(try fixture.shellLaunch("/bin/sh -c \"\(member)\" & wait"))
        defer { supervisor.stop(grace: .seconds(10)) }
        try supervisor.start()
        #expect(eventually { fixture.pid(in: "member.pid") != nil })
        let memberPid = try #require(fixture.pid(in: "member.pid"))
        supervisor.stop(grace: .seconds(30))
        let written = try? String(contentsOfFile: fixture.versionDirectory + "/member.out", encoding: .utf8)
        #expect(written == "finished\n")
        #expect(!ProcessTable.isLive(memberPid))
    }

    @Test func theModuleInheritsNoDescriptorBeyondItsStandardOnes() throws {
        let fixture = try SupervisionFixture()
        let leaked = open("/dev/null", O_RDONLY)
        #expect(leaked > 2)
        defer { close(leaked) }
        let supervisor = try fixture.supervisor(try fixture.shellLaunch("ls /proc/self/fd > fds.tmp && mv fds.tmp fds; exec sleep 1000"))
        defer { supervisor.stop(grace: .seconds(10)) }
        try supervisor.start()
        #expect(eventually { FileManager.default.fileExists(atPath: fixture.versionDirectory + "/fds") })
        let listed = try String(contentsOfFile: fixture.versionDirectory + "/fds", encoding: .utf8).split(separator: "\n").map(String.init)
        // 0, 1 and 2, and the descriptor `ls` reads the directory through.
        #expect(Array(listed.prefix(3)) == ["0", "1", "2"] && listed.count <= 4 && !listed.contains("\(leaked)"), "\(listed)")
        let process = try #require(supervisor.status.process)
        #expect(ProcessTable.sessionID(process.pid) == process.pid)
    }

    @Test func stopEndsTheWholeGroupEvenWhatIgnoresSIGTERM() throws {
        let fixture = try SupervisionFixture()
        let script = "trap '' TERM; sleep 1000 & echo $! > grandchild.pid; wait"
        let supervisor = try fixture.supervisor(try fixture.shellLaunch(script))
        defer { supervisor.stop(grace: .milliseconds(200)) }
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
        defer { supervisor.stop(grace: .seconds(10)) }
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

    @Test func aLogPathThatIsALinkOrNotARegularFileIsRefused() throws {
        let fixture = try SupervisionFixture()
        let launch = try fixture.shellLaunch("exit 0")
        let path = ModuleLog.path(directory: fixture.logDirectory, name: launch.name, version: launch.version)
        try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: fixture.directory.file("elsewhere.log"))
        #expect(throws: SupervisionError.self) { try fixture.supervisor(launch) }
        #expect(!FileManager.default.fileExists(atPath: fixture.directory.file("elsewhere.log")))
        try FileManager.default.removeItem(atPath: path)
        #expect(mkfifo(path, 0o600) == 0)
        #expect(throws: SupervisionError.logUnavailable(path: path, reason: "not a regular file")) { try fixture.supervisor(launch) }
    }
}
