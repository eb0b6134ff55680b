import Foundation
import LocalFleet
import Testing

/// The live view's node table (`WaveNodesTable`): the decision's line, a column only for metrics
/// some node has a figure for, each cell the value against the threshold that binds it and the
/// rule's word, notes, the nodes not shown counted with the failing and not stable among them, at
/// most the rows asked for whatever the server sent, and a server's text made safe to print; and
/// a frame cut to the terminal's height (`TerminalFrame.fitted`).
struct WaveNodesTableTests {
    static func document(_ json: String) throws -> WaveNodesDocument {
        try JSONDecoder().decode(WaveNodesDocument.self, from: Data(json.utf8))
    }

    static let decision = """
        {"index":4,"elapsedMs":4000,"verdict":"wait","reason":"regressed","reasonCode":"regressed",
         "consecutiveStable":0,"consecutiveStableWanted":3,"consecutiveFailingWanted":3,"pollsMaximum":120}
        """

    static let judged = """
        {"index":1,"state":"gating","nodeCount":12,"more":10,"failing":3,"notStable":4,"decision":\(decision),
         "nodes":[
          {"id":"node-2","state":"installed","judged":true,"failing":true,"stable":false,"hasData":true,"probeFailed":true,
           "samples":3,"samplesWithoutModule":0,"failingStreak":2,"metrics":[
             {"metric":"hostCPU","value":70,"previous":69,"baseline":50,"controlChange":0,"allowed":55,"ceiling":80,"outcome":"regressed"},
             {"metric":"probeLatency","value":12.25,"previous":12,"baseline":10,"controlChange":null,"allowed":12.5,"ceiling":null,
              "outcome":"settled"},
             {"metric":"moduleCPU","value":null,"previous":null,"baseline":null,"controlChange":null,"allowed":null,"ceiling":null,
              "outcome":"not_judged"}]},
          {"id":"node-\\u001b[2J","state":"installed","judged":true,"failing":false,"stable":false,"hasData":false,"probeFailed":false,
           "samples":0,"samplesWithoutModule":0,"failingStreak":0,"metrics":[]}]}
        """

    @Test func aJudgedWaveShowsEachMetricAgainstTheThresholdThatBindsIt() throws {
        let lines = WaveNodesTable.lines(try Self.document(Self.judged), maximumNodes: 50)
        #expect(lines[0] == "wave 1 (gating), 12 nodes: poll 4 of 120, wait (regressed), stable polls in a row 0 of 3", "\(lines)")
        #expect(lines[1].hasPrefix("NODE") && lines[1].contains("HOST CPU %") && lines[1].contains("LATENCY ms"), "\(lines[1])")
        #expect(!lines[1].contains("MODULE") && !lines[1].contains("HOST MEM"),
                "no node has a module CPU or host memory figure: \(lines[1])")
        #expect(lines[2].contains("70 / 55 REGRESSED") && lines[2].contains("12.3 / 12.5 ok"), "\(lines[2])")
        #expect(lines[2].contains("health probe failed; failing polls in a row 2 of 3"), "\(lines[2])")
        #expect(lines[3].contains("no data") && lines[3].contains("node-\\u{1B}[2J") && !lines[3].contains("\u{1B}"), "\(lines[3])")
        #expect(lines.last == "… and 10 more nodes not shown: 2 failing, 3 not stable", "\(lines)")
    }

    @Test func noMoreRowsThanAskedForWhateverTheServerSent() throws {
        let lines = WaveNodesTable.lines(try Self.document(Self.judged), maximumNodes: 1)
        #expect(lines.count == 4 && lines[2].hasPrefix("node-2"), "\(lines)")
        #expect(lines.last == "… and 11 more nodes not shown: 2 failing, 4 not stable", "\(lines)")
    }

    @Test func theCeilingBindsWhenItIsLowerThanTheRegressionAllowance() throws {
        let json = """
            {"index":0,"state":"gating","nodeCount":1,"more":0,"failing":1,"notStable":0,"decision":\(Self.decision),
             "nodes":[{"id":"n1","state":"installed","judged":true,"failing":true,"stable":false,"hasData":true,"probeFailed":false,
                       "samples":3,"samplesWithoutModule":1,"failingStreak":1,"metrics":[
                 {"metric":"hostMemory","value":81,"previous":80,"baseline":79,"controlChange":0,"allowed":86.9,"ceiling":80,
                  "outcome":"over_ceiling"}]}]}
            """
        let lines = WaveNodesTable.lines(try Self.document(json), maximumNodes: 50)
        #expect(lines.count == 3 && lines[2].contains("81 / 80 OVER CEILING"), "\(lines)")
        #expect(lines[2].contains("module missing from 1 of 3 samples; failing polls in a row 1 of 3"), "\(lines)")
    }

    @Test func beforeTheFirstDecisionTheNodesShowTheirStateOnly() throws {
        let json = """
            {"index":2,"state":"installing","nodeCount":1,"more":0,"failing":0,"notStable":0,"decision":null,
             "nodes":[{"id":"n1","state":"installing","judged":false,"metrics":[]}]}
            """
        let lines = WaveNodesTable.lines(try Self.document(json), maximumNodes: 50)
        #expect(lines == ["wave 2 (installing), 1 node: no gate decision yet", "NODE  STATE       NOTE  ", "n1    installing        "],
                "\(lines)")
    }

    @Test func aFrameTallerThanTheTerminalIsCutWithTheRestCounted() {
        let lines = (1...10).map { "line \($0)" }
        let cut = ["line 1", "line 2", "line 3", "line 4", "(6 more lines: a taller terminal shows them)"]
        #expect(TerminalFrame.fitted(lines, rows: 6) == cut)
        #expect(TerminalFrame.fitted(lines, rows: 11) == lines && TerminalFrame.fitted(lines, rows: 0) == lines)
    }
}
