import Glibc
import ModuleSupervision
import Testing
import TestSupport

/// Taking a module back after the agent was killed: a supervisor released without `stop` (as an
/// agent killed with SIGKILL) leaves its process running; another adopts it by pid and start
/// time, keeps it healthy and restarts it; a start time or boot id that does not match is refused
/// and leaves the process alone; `terminate(recorded:)` ends the group.
@Suite struct AdoptionTests {
    /// Starts the launch under a supervisor that is then released without `stop`.
    static func startAndRelease(_ fixture: SupervisionFixture, _ launch: ModuleLaunch) throws -> RecordedProcess {
        let supervisor = try fixture.supervisor(launch)
        try supervisor.start()
        return try #require(supervisor.status.process)
    }

    @Test func aProcessLeftRunningByAReleasedSupervisorIsAdoptedKeptHealthyAndRestarted() throws {
        let fixture = try SupervisionFixture()
        let reservation = try #require(LoopbackPort.Reservation())
        defer { reservation.release() }
        let launch = try fixture.sampleLaunch(port: reservation.port)
        let recorded = try Self.startAndRelease(fixture, launch)
        #expect(ProcessTable.isLive(recorded.pid))
        let adopter = try #require(try ModuleSupervisor.adopt(launch: launch, recorded: recorded, logDirectory: fixture.logDirectory,
                                                              policy: SupervisionFixture.quickPolicy))
        defer { adopter.stop(grace: .seconds(10)) }
        #expect(adopter.status.state == .running && adopter.status.adopted && adopter.status.process == recorded)
        #expect(adopter.status.events == [.adopted(recorded)])
        let verdict = adopter.waitUntilHealthy(successesNeeded: 1, interval: .milliseconds(50), deadline: SupervisionFixture.deadline())
        #expect(verdict.ending == .healthy, "\(verdict)")
        kill(recorded.pid, SIGKILL)
        #expect(eventually(timeout: .seconds(60)) { adopter.status.restarts == 1 && adopter.status.state == .running })
        let restarted = try #require(adopter.status.process)
        #expect(restarted.pid != recorded.pid && !adopter.status.adopted)
        adopter.stop(grace: .seconds(10))
        #expect(!ProcessTable.isLive(restarted.pid))
    }

    @Test func aMismatchedStartTimeIsRefusedAndTheProcessLeftAloneUntilTerminated() throws {
        let fixture = try SupervisionFixture()
        let launch = try fixture.shellLaunch("sleep 1000 & wait")
        let recorded = try Self.startAndRelease(fixture, launch)
        defer { _ = try? ModuleSupervisor.terminate(recorded: recorded, grace: .seconds(1)) }
        #expect(try recorded.bootID == RecordedProcess.currentBootID())
        let impostor = RecordedProcess(pid: recorded.pid, startTime: recorded.startTime + 1, bootID: recorded.bootID)
        let otherBoot = RecordedProcess(pid: recorded.pid, startTime: recorded.startTime, bootID: "00000000-0000-0000-0000-000000000000")
        for refused in [impostor, otherBoot] {
            #expect(try ModuleSupervisor.adopt(launch: launch, recorded: refused, logDirectory: fixture.logDirectory) == nil)
            #expect(try !ModuleSupervisor.terminate(recorded: refused, grace: .seconds(1)))
        }
        #expect(ProcessTable.isLive(recorded.pid))
        #expect(eventually { ProcessTable.liveMembers(ofGroup: recorded.pid).count == 2 })
        #expect(try ModuleSupervisor.terminate(recorded: recorded, grace: .seconds(10)))
        #expect(eventually { ProcessTable.liveMembers(ofGroup: recorded.pid).isEmpty })
        #expect(try ModuleSupervisor.adopt(launch: launch, recorded: recorded, logDirectory: fixture.logDirectory) == nil)
        #expect(try !ModuleSupervisor.terminate(recorded: recorded, grace: .seconds(1)))
    }

    @Test func anAdoptedProcessThatIsNotAChildIsStoppedWithItsGroup() throws {
        try Prerequisite.requireTools("setsid")
        let fixture = try SupervisionFixture()
        // The probe's group is killed once it exits: it waits until the detached shell has left it.
        let detach = "setsid -f /bin/sh -c 'sleep 1000 & echo $! > member.pid; echo $$ > leader.pid; wait'; "
            + "while [ ! -s leader.pid ]; do sleep 0.05; done"
        let probe = try #require(try ModuleProbe(launch: try fixture.launch("/bin/sh", health: .command(.init(command: "/bin/sh",
                                                                                                              arguments: ["-c", detach])))))
        #expect(probe.run(timeout: .seconds(30), interruptDescriptor: -1).healthy)
        let leader = try #require(fixture.pid(in: "leader.pid"))
        let member = try #require(fixture.pid(in: "member.pid"))
        let startTime = try #require(ProcessTable.startTime(leader))
        let recorded = RecordedProcess(pid: leader, startTime: startTime, bootID: try RecordedProcess.currentBootID())
        defer { _ = try? ModuleSupervisor.terminate(recorded: recorded, grace: .seconds(1)) }
        let adopter = try #require(try ModuleSupervisor.adopt(launch: try fixture.shellLaunch("exit 0"), recorded: recorded,
                                                              logDirectory: fixture.logDirectory, policy: SupervisionFixture.quickPolicy))
        #expect(adopter.status.adopted && ProcessTable.isLive(member))
        adopter.stop(grace: .seconds(10))
        #expect(adopter.status.lastExit?.status == nil && adopter.status.lastExit?.process == recorded)
        #expect(eventually { !ProcessTable.isLive(leader) && !ProcessTable.isLive(member) })
    }
}
