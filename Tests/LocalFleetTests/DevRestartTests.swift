import FoundationEssentials
@testable import LocalFleet
import Primitives
import Testing

struct RestartBackoffTests {
    @Test func theWaitDoublesWithCrashesInARowUpToTheCeiling() {
        var backoff = RestartBackoff(delay: .seconds(10))
        let waits = (0..<8).map { _ in backoff.ended(after: .seconds(1)) }
        #expect(waits == [10, 20, 40, 80, 160, 300, 300, 300].map { .seconds($0) })
        #expect(backoff.crashesInARow == 8)
    }

    @Test func aMemberThatRanLongEnoughStartsTheCountAgain() {
        var backoff = RestartBackoff(delay: .seconds(10))
        _ = backoff.ended(after: .seconds(1))
        _ = backoff.ended(after: .seconds(1))
        #expect(backoff.ended(after: RestartBackoff.stableRun) == .seconds(10))
        #expect(backoff.crashesInARow == 1)
    }

    @Test func aDelayOfZeroNeverRestartsOnItsOwnAndALongDelayIsItsOwnCeiling() {
        var never = RestartBackoff(delay: .zero)
        #expect(never.ended(after: .seconds(1)) == nil && never.ended(after: .seconds(1)) == nil)
        var long = RestartBackoff(delay: .seconds(3_600))
        #expect(long.ended(after: .zero) == .seconds(3_600) && long.ended(after: .zero) == .seconds(3_600))
    }
}

struct DevEventTests {
    @Test func anEndedMemberSaysHowWhenItRestartsAndWhereItsLogIs() {
        #expect(DevEvent.ended("c1", pid: 7, how: "was killed by signal 9 (Killed)", crashesInARow: 1,
                               restartIn: .seconds(10), restartKey: true, logPath: "/d/logs/c1.log")
                == "c1 (pid 7) was killed by signal 9 (Killed); restarting it in 10s (press r to restart now); log /d/logs/c1.log")
        #expect(DevEvent.ended("node-1", pid: 8, how: "exited with status 1", crashesInARow: 3, restartIn: .milliseconds(39_001),
                               restartKey: false, logPath: "/l")
                == "node-1 (pid 8) exited with status 1 (crash 3 in a row); restarting it in 40s; log /l")
        #expect(DevEvent.restartPlan(nil, restartKey: false) == "not restarting it (--restart-delay 0s)")
        #expect(DevEvent.restartPlan(nil, restartKey: true).hasSuffix("press r to restart it"))
        #expect(DevEvent.restarted("c1", pid: 9, logPath: "/l").split(separator: " ") == ["restarted", "c1", "pid", "9", "log", "/l"])
    }

    @Test func aStampIsTheLocalTimeInBrackets() {
        let stamped = DevEvent.stamped("x")
        #expect(stamped.count == "[12:03:04] x".count && stamped.hasPrefix("[") && stamped.hasSuffix("] x"))
        #expect(DevEvent.wholeSeconds(.milliseconds(1)) == 1 && DevEvent.wholeSeconds(.seconds(2)) == 2)
        #expect(DevEvent.wholeSeconds(.zero) == 0)
    }
}

struct LeaderWatchTests {
    static func listing(leader: String, reported: [String], silent: [String]) throws -> NodeListing {
        let report = #"{"ageMilliseconds":1,"hostCPUPercent":1,"memoryUsedBytes":1,"memoryTotalBytes":2}"#
        let nodes = reported.map { #"{"id":"\#($0)","status":"live","lastReport":\#(report)}"# }
            + silent.map { #"{"id":"\#($0)","status":"live","lastReport":null}"# }
        return try NodeListingTests.decode(#"{"leader":"\#(leader)","term":3,"nodes":[\#(nodes.joined(separator: ","))]}"#)
    }

    @Test func aNewLeaderIsSaidOnceThenTheAgentsReattachingToIt() throws {
        var watch = LeaderWatch(leader: "c1")
        let agents: Set = ["node-1", "node-2"]
        #expect(watch.observe(try Self.listing(leader: "c1", reported: ["node-1", "node-2"], silent: []), runningAgents: agents)
                    .isEmpty)
        #expect(watch.observe(try Self.listing(leader: "c2", reported: [], silent: ["node-1", "node-2"]), runningAgents: agents)
                    == ["leader c2 (term 3), was c1"])
        #expect(watch.observe(try Self.listing(leader: "c2", reported: ["node-1"], silent: ["node-2"]), runningAgents: agents)
                    .isEmpty)
        #expect(watch.observe(try Self.listing(leader: "c2", reported: ["node-1"], silent: ["node-2"]), runningAgents: ["node-1"])
                    == ["the agent reports to c2 again"])
        #expect(watch.observe(try Self.listing(leader: "c2", reported: ["node-1", "node-2"], silent: []), runningAgents: agents)
                    .isEmpty)
        #expect(watch.leader == "c2")
    }
}

struct DevSettingsTests {
    @Test func theResumeCommandNamesTheDirectoryAndOnlyTheFlagsThatDifferFromTheDefaults() {
        var settings = DevSettings()
        #expect(settings.resumeCommand(directory: "/tmp/d") == "Scripts/run --dir /tmp/d")
        settings.agentCount = 5
        settings.apiPort = 0
        settings.portBase = 0
        settings.restartDelay = .zero
        #expect(settings.resumeCommand(directory: "/tmp/d")
                    == "Scripts/run --dir /tmp/d --agents 5 --api-port 0 --port-base 0 --restart-delay 0ms")
    }

    @Test func aRestartedCoordinatorIsPinnedToThePortsItBound() throws {
        let line = "msg=\"coordinator started\" api=127.0.0.1:8443 peer=127.0.0.1:7000 agent=127.0.0.1:7001"
        let endpoints = try #require(CoordinatorEndpoints(name: "c1", startedLine: line))
        #expect(try DevPorts.bound([endpoints]) == DevPorts(api: [8443], peer: [7000], agent: [7001]))
        let broken = try #require(CoordinatorEndpoints(name: "c1", startedLine: line.replacingAll("8443", "x")))
        #expect(throws: DevFailure.self) { try DevPorts.bound([broken]) }
    }

    /// Children are spawned from the binary's own path while it is still the running binary.
    @Test func childrenAreSpawnedFromTheRealPathOfTheRunningBinary() {
        #expect(ChildProcess.spawnPath() == ChildProcess.executablePath)
        #expect(ChildProcess.processName == "hotswap")
    }
}
