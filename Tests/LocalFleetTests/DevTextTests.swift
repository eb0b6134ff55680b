import CommandLineSupport
@testable import LocalFleet
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

    @Test func aListingFrameHasTheHeaderAndOneRowPerNode() throws {
        let frame = DevLiveView.Frame.listing(try NodeListingTests.decode(Self.json))
        #expect(frame.lines.count == 4)
        #expect(frame.lines[0] == "leader c2, term 4, 2 nodes")
        #expect(frame.lines[1].hasPrefix("NODE            STATUS   ENVIRONMENT  "))
        #expect(frame.lines[2].hasPrefix("node-1          live     development  12.3   2048/8192 MiB       310 µs    120 ms ago"))
        #expect(frame.lines[3].hasPrefix("node-2          suspect  -            -      -                   -         never"))
    }

    /// On a pipe a frame is printed only when something a reader cares about changed.
    @Test func theSignatureChangesWithAStatusButNotWithFigures() throws {
        let first = DevLiveView.Frame.listing(try NodeListingTests.decode(Self.json))
        let olderReport = DevLiveView.Frame.listing(try NodeListingTests.decode(Self.json.replacingAll("120", "900")))
        let statusChanged = DevLiveView.Frame.listing(try NodeListingTests.decode(Self.json.replacingAll("suspect", "down")))
        #expect(first.signature == olderReport.signature && first.lines != olderReport.lines)
        #expect(first.signature != statusChanged.signature)
        #expect(DevLiveView.Frame.unavailable(DevFailure("no answer")).lines == ["nodes unavailable: no answer"])
    }
}

extension String {
    func replacingAll(_ target: String, _ replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
