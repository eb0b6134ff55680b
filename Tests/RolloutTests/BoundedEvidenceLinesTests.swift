import Rollout
import Testing

/// `GateEvidence.boundedLines(maximumNodeLines:)` keeps the first node lines and only counts the rest:
/// on small waves it is the whole evidence, on a wider one the full lines' prefix, and on a wave of
/// the fleet maximum it formats no more node lines than it keeps.
@Suite struct BoundedEvidenceLinesTests {
    /// A wave of `size` nodes whose every node regressed on host CPU, and every third had no data.
    static func regressed(size: Int) -> GateEvidence {
        let script = GateScript(waveSize: size, baselineCPU: 40, controlBaselineCPU: 40)
        let cpu: [Double?] = (0..<size).map { $0 % 3 == 2 ? nil : 90 }
        let decisions = script.run(script.cpuPolls(Array(repeating: cpu, count: 3), control: [40, 40, 40]))
        return script.evidence(decisions, at: 2)
    }

    static func isNodeLine(_ line: String) -> Bool { line.hasPrefix("node ") }

    @Test func smallWavesGiveTheWholeEvidence() {
        for size in [0, 1, 3, 10] {
            let evidence = Self.regressed(size: size)
            let bounded = evidence.boundedLines(maximumNodeLines: 50)
            #expect(bounded.lines == evidence.lines && bounded.more == 0, "\(size) nodes")
        }
        let script = GateScript(waveSize: 3, baselineCPU: 40, controlBaselineCPU: 40)
        let calm = script.evidence(script.run(script.uniformPolls([40, 40, 40], waveSize: 3, control: 40)), at: 2)
        #expect(calm.boundedLines(maximumNodeLines: 50).lines == calm.lines && calm.lines.last?.hasPrefix("every node: ") == true)
    }

    @Test func aWiderWaveKeepsThePrefixAndCountsTheRest() {
        let evidence = Self.regressed(size: 80)
        let full = evidence.lines
        let nodeLines = full.filter(Self.isNodeLine)
        #expect(nodeLines.count > 50, "\(nodeLines.count) node lines")
        let head = full.prefix { !Self.isNodeLine($0) }
        let bounded = evidence.boundedLines(maximumNodeLines: 50)
        #expect(bounded.lines == Array(head) + Array(nodeLines.prefix(50)))
        #expect(bounded.more == nodeLines.count - 50)
        let none = evidence.boundedLines(maximumNodeLines: 0)
        #expect(none.lines == Array(head) && none.more == nodeLines.count)
    }

    @Test func theFleetMaximumFormatsOnlyTheLinesKept() {
        let evidence = Self.regressed(size: 16_384)
        let bounded = evidence.boundedLines(maximumNodeLines: 50)
        #expect(bounded.formatted == 50)
        #expect(bounded.lines.filter(Self.isNodeLine).count == 50)
        // Every node has one line: a regressed host CPU, or no data.
        #expect(bounded.more == 16_384 - 50, "\(bounded.more)")
    }
}
