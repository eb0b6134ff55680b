import Foundation
import LocalFleet
import Testing

/// The live view's node table (`WaveNodesTable`): the decision's line, a column only for metrics
/// some node has a figure for, each cell the value against the threshold that binds it and the
/// rule's word, notes, the count of nodes not shown, and a server's text made safe to print.
struct WaveNodesTableTests {
    static func document(_ json: String) throws -> WaveNodesDocument {
        try JSONDecoder().decode(WaveNodesDocument.self, from: Data(json.utf8))
    }

    static let judged = """
        {"index":1,"state":"gating","nodeCount":12,"more":10,
         "decision":{"index":4,"elapsedMs":4000,"verdict":"wait","reason":"regressed","reasonCode":"regressed",
                     "consecutiveStable":0,"consecutiveStableWanted":3,"pollsMaximum":120},
         "nodes":[
          {"id":"node-2","state":"installed","judged":true,"stable":false,"hasData":true,"probeFailed":true,"moduleAbsent":false,
           "failingStreak":2,"metrics":[
             {"metric":"hostCPU","value":70,"previous":69,"baseline":50,"controlChange":0,"allowed":55,"ceiling":80,"outcome":"regressed"},
             {"metric":"probeLatency","value":12.25,"previous":12,"baseline":10,"controlChange":null,"allowed":12.5,"ceiling":null,
              "outcome":"settled"},
             {"metric":"moduleCPU","value":null,"previous":null,"baseline":null,"controlChange":null,"allowed":null,"ceiling":null,
              "outcome":"not_judged"}]},
          {"id":"node-\\u001b[2J","state":"installed","judged":true,"stable":false,"hasData":false,"probeFailed":false,
           "moduleAbsent":false,"failingStreak":0,"metrics":[]}]}
        """

    @Test func aJudgedWaveShowsEachMetricAgainstTheThresholdThatBindsIt() throws {
        let lines = WaveNodesTable.lines(try Self.document(Self.judged))
        #expect(lines[0] == "wave 1 (gating), 12 nodes: poll 4 of 120, wait (regressed), stable polls in a row 0 of 3", "\(lines)")
        #expect(lines[1].hasPrefix("NODE") && lines[1].contains("HOST CPU %") && lines[1].contains("LATENCY ms"), "\(lines[1])")
        #expect(!lines[1].contains("MODULE") && !lines[1].contains("HOST MEM"),
                "no node has a module CPU or host memory figure: \(lines[1])")
        #expect(lines[2].contains("70 / 55 REGRESSED") && lines[2].contains("12.3 / 12.5 ok"), "\(lines[2])")
        #expect(lines[2].contains("health probe failed; failing 2 polls in a row"), "\(lines[2])")
        #expect(lines[3].contains("no data") && lines[3].contains("node-\\u{1B}[2J") && !lines[3].contains("\u{1B}"), "\(lines[3])")
        #expect(lines.last == "… and 10 more nodes (those not stable are shown first)", "\(lines)")
    }

    @Test func theCeilingBindsWhenItIsLowerThanTheRegressionAllowance() throws {
        let json = """
            {"index":0,"state":"gating","nodeCount":1,"more":0,
             "decision":{"index":1,"elapsedMs":1000,"verdict":"wait","reason":"settling","reasonCode":"settling",
                         "consecutiveStable":0,"consecutiveStableWanted":3,"pollsMaximum":60},
             "nodes":[{"id":"n1","state":"installed","judged":true,"stable":true,"hasData":true,"probeFailed":false,
                       "moduleAbsent":false,"failingStreak":0,"metrics":[
                 {"metric":"hostMemory","value":81,"previous":80,"baseline":79,"controlChange":0,"allowed":86.9,"ceiling":80,
                  "outcome":"over_ceiling"}]}]}
            """
        let lines = WaveNodesTable.lines(try Self.document(json))
        #expect(lines.count == 3 && lines[2].contains("81 / 80 OVER CEILING") && lines[2].hasSuffix("stable  "), "\(lines)")
    }

    @Test func beforeTheFirstDecisionTheNodesShowTheirStateOnly() throws {
        let json = """
            {"index":2,"state":"installing","nodeCount":1,"more":0,"decision":null,
             "nodes":[{"id":"n1","state":"installing","judged":false,"metrics":[]}]}
            """
        let lines = WaveNodesTable.lines(try Self.document(json))
        #expect(lines == ["wave 2 (installing), 1 node: no gate decision yet", "NODE  STATE       NOTE  ", "n1    installing        "],
                "\(lines)")
    }
}
