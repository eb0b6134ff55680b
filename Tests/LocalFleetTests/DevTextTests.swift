import CommandLineSupport
@testable import LocalFleet
import ModuleSupervision
import Testing

struct CoordinatorEndpointsTests {
    @Test func theStartedLineGivesEveryBoundAddress() {
        let line = "ts=1 level=info component=coordinator msg=\"coordinator started\" api=127.0.0.1:8443 "
            + "peer=127.0.0.1:7000 agent=127.0.0.1:7001"
        #expect(CoordinatorEndpoints(name: "c1", startedLine: line)
                    == CoordinatorEndpoints(name: "c1", startedLine: line))
        let endpoints = CoordinatorEndpoints(name: "c1", startedLine: line)
        #expect(endpoints?.api == "127.0.0.1:8443" && endpoints?.peer == "127.0.0.1:7000" && endpoints?.agent == "127.0.0.1:7001")
    }

    @Test(arguments: [
        "msg=\"coordinator starting\" api=a:1 peer=b:2 agent=c:3",
        "msg=\"coordinator started\" api=a:1 peer=b:2",
        "msg=\"coordinator started\" api= peer=b:2 agent=c:3",
    ])
    func aLineWithoutEveryAddressIsNotTheStartedLine(line: String) {
        #expect(CoordinatorEndpoints(name: "c1", startedLine: line) == nil)
    }
}

struct ExitStatusTests {
    @Test func statusWordsDecodeToACodeOrASignal() {
        #expect(ExitStatus(raw: 3 << 8).code == 3 && ExitStatus(raw: 3 << 8).signal == nil)
        #expect(ExitStatus(raw: 3 << 8).description == "exited with status 3")
        #expect(ExitStatus(raw: 9).signal == 9 && ExitStatus(raw: 9).code == nil)
        #expect(ExitStatus(raw: 9).description == "was killed by signal 9 (Killed)")
        #expect(ExitStatus(raw: -1).description == "ended (its status could not be read)")
    }
}

struct ChildEnvironmentTests {
    @Test func aChildInheritsTheEnvironmentWithTheGuardNamingThisParentOnly() {
        let inherited = ["PATH=/bin", "HOTSWAP_DEV_PARENT_PID=17", "HOME=/root"]
        #expect(ChildProcess.childEnvironment(inheriting: inherited, parentPid: 4242)
                    == ["PATH=/bin", "HOME=/root", "HOTSWAP_DEV_PARENT_PID=4242"])
    }
}

struct DevLiveViewTests {
    static let json = """
        {"leader":"c2","term":4,"nodes":[
          {"id":"node-1","status":"live","environment":"development","lastReport":{"ageMilliseconds":120,
           "hostCPUPercent":12.345,"memoryUsedBytes":2147483648,"memoryTotalBytes":8589934592,"roundTripMicroseconds":310}},
          {"id":"node-2","status":"suspect","environment":null,"lastReport":null}]}
        """

    static let members = [
        DevLiveView.Member(name: "c1", role: .coordinator, state: .running(pid: 101)),
        DevLiveView.Member(name: "c2", role: .coordinator, state: .running(pid: 102)),
        DevLiveView.Member(name: "node-1", role: .agent, state: .running(pid: 201)),
        DevLiveView.Member(name: "node-2", role: .agent, state: .running(pid: 202)),
    ]

    @Test func aFleetFrameHasTheHeaderTheProcessesAndOneRowPerNode() throws {
        let frame = DevLiveView.Frame.fleet(members: Self.members, nodes: .success(try NodeListingTests.decode(Self.json)))
        #expect(frame.lines.count == 8)
        #expect(frame.lines[0] == "leader c2, term 4, 2 nodes")
        #expect(frame.lines[1] == "PROCESS         PID      STATE")
        #expect(frame.lines[2] == "c1              101      running")
        #expect(frame.lines[3] == "c2              102      running, leader")
        #expect(frame.lines[4] == "agents          -        2 of 2 running")
        #expect(frame.lines[5].hasPrefix("NODE            STATUS   ENVIRONMENT  "))
        #expect(frame.lines[6].hasPrefix("node-1          live     development  12.3   2048/8192 MiB       310 µs    120 ms ago"))
        #expect(frame.lines[7].hasPrefix("node-2          suspect  -            -      -                   -         never"))
    }

    /// A dead member is marked with how it ended and what happens next; an
    /// agent that has not reported to the (new) leader is re-attaching.
    @Test func aDeadMemberIsMarkedAndALiveNodeWithoutReportIsReattaching() throws {
        var members = Self.members
        members[0] = DevLiveView.Member(name: "c1", role: .coordinator,
                                        state: .dead(how: "was killed by signal 9 (Killed)", at: "12:03:04",
                                                     next: "restarting it in 8s"))
        members[3] = DevLiveView.Member(name: "node-2", role: .agent,
                                        state: .dead(how: "exited with status 1", at: "12:03:05", next: "restarting it in 9s"))
        let json = Self.json.replacingAll("suspect", "live")
        let frame = DevLiveView.Frame.fleet(members: members, nodes: .success(try NodeListingTests.decode(json)))
        #expect(frame.lines.contains("c1              -        dead since 12:03:04: was killed by signal 9 (Killed); restarting it in 8s"))
        #expect(frame.lines.contains("node-2          -        dead since 12:03:05: exited with status 1; restarting it in 9s"))
        #expect(frame.lines.contains("agents          -        1 of 2 running"))
        let reattaching = try #require(frame.lines.last).split(separator: " ")
        #expect(reattaching == ["node-2", "re-attaching", "-", "-", "-", "-", "-"], "\(frame.lines)")
    }

    /// On a pipe a frame is printed only when something a reader cares about
    /// changed: a node's status or a process's state, not a figure or a countdown.
    @Test func theSignatureChangesWithAStatusOrAStateButNotWithFiguresOrCountdowns() throws {
        func frame(_ json: String, _ members: [DevLiveView.Member] = Self.members) throws -> DevLiveView.Frame {
            .fleet(members: members, nodes: .success(try NodeListingTests.decode(json)))
        }
        let first = try frame(Self.json)
        let olderReport = try frame(Self.json.replacingAll("120", "900"))
        let statusChanged = try frame(Self.json.replacingAll("suspect", "down"))
        #expect(first.signature == olderReport.signature && first.lines != olderReport.lines)
        #expect(first.signature != statusChanged.signature)
        func dead(_ next: String) -> [DevLiveView.Member] {
            [DevLiveView.Member(name: "c1", role: .coordinator, state: .dead(how: "x", at: "t", next: next))]
                + Self.members.dropFirst()
        }
        #expect(try frame(Self.json, dead("in 8s")).signature == frame(Self.json, dead("in 7s")).signature)
        #expect(try frame(Self.json, dead("in 8s")).signature != first.signature)
        let unavailable = DevLiveView.Frame.fleet(members: Self.members, nodes: .failure(DevFailure("no answer")))
        #expect(unavailable.lines.first == "nodes unavailable: no answer" && unavailable.lines.count == 5)
    }
}

extension String {
    func replacingAll(_ target: String, _ replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
