import Cluster
import Fleet
import Foundation
import Primitives
import Rollout
import Testing

/// Every deployment answer is bounded whatever the fleet's size: on a synthetic record of the fleet
/// maximum (16,384 nodes with 45-byte ids and 200-byte details, a gating wave whose every node has
/// no data in each kept poll) the record's answer holds one page of nodes and no evidence, pages
/// walk every node of a wave once, a wave's answer holds at most 50 node lines per decision and
/// counts the rest, a wave's nodes' answer at most its limit of nodes, and the answer a leader
/// sends a follower for a control or an approval decision is the headline, the same size for one
/// node as for 16,384 (the JSON summary for older builds).
struct DeploymentBoundsTests {
    static let nodes = FleetState.nodesMaximum

    static func large() -> DeploymentRecord {
        let wave0 = 64
        let nodes = (0..<Self.nodes).map { index in
            DeploymentNode(id: "ip-10-0-\(index / 256)-\(index % 256).eu-west-1.compute.internal-\(String(repeating: "x", count: 8))",
                           wave: index < wave0 ? 0 : 1, previousVersion: "1.0.0-build7", state: .installed,
                           detail: String(repeating: "d", count: 200))
        }
        let waveNodes = Self.nodes - wave0
        let kept = WaveRecord.decisionsKept(waveNodes: waveNodes)
        let decisions = (1...kept).map { index in
            GateDecision(poll: GatePoll(index: UInt32(index), elapsedMilliseconds: UInt64(index) * 30_000,
                                        nodes: Array(repeating: nil, count: waveNodes)),
                         verdict: .wait, reason: .settling, consecutiveStable: 0, failingStreaks: [], consecutiveNoData: UInt8(index))
        }
        let waves = [WaveRecord(state: .passed, passedBy: .gate),
                     WaveRecord(state: .gating, baseline: GateBaseline(nodes: Array(repeating: nil, count: waveNodes),
                                                                       windowMilliseconds: 60_000),
                                decisions: decisions, decisionCount: UInt32(kept))]
        return DeploymentRecord(id: "d-0123456789ab", module: "web", version: "2.0.0-build8", environment: "production",
                                strategy: .canary, createdBy: "ada", createdAtMilliseconds: 1, waves: waves, nodes: nodes)
    }

    static func object(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test func theRecordsAnswerHoldsOnePageOfNodesAndNoEvidence() throws {
        let record = Self.large()
        let text = DeploymentJSON.record(record)
        #expect(text.utf8.count < 64 * 1_024, "\(text.utf8.count) bytes")
        let json = try Self.object(text)
        let nodes = json["nodes"] as? [[String: Any]] ?? []
        #expect(nodes.count == 50 && json["nodesNext"] as? String == "49" && json["nodeCount"] as? Int == Self.nodes)
        let wave = (json["waves"] as? [[String: Any]])?.last ?? [:]
        #expect(wave["decisions"] == nil && (wave["latestDecision"] as? [String: Any])?["index"] as? Int == 4)
        #expect((wave["latestDecision"] as? [String: Any])?["lines"] == nil)
        let widest = DeploymentJSON.record(record, nodes: DeploymentNodePage(limit: DeploymentNodePage.limitRange.upperBound))
        #expect(widest.utf8.count < 128 * 1_024, "\(widest.utf8.count) bytes")
    }

    @Test func pagesOfAWaveWalkEachOfItsNodesOnce() throws {
        let record = Self.large()
        var page = DeploymentNodePage(wave: 0, limit: 7)
        var seen: [String] = []
        var pages = 0
        while true {
            let shown = page.page(of: record)
            seen += shown.nodes.map(\.id)
            pages += 1
            guard let next = shown.next else { break }
            page.after = try #require(Int(next))
        }
        #expect(seen == record.nodes.prefix(64).map(\.id) && pages == 10)
        let second = DeploymentNodePage(wave: 1, limit: 2).page(of: record)
        #expect(second.nodes.map(\.id) == record.nodes[64..<66].map(\.id) && second.next == "65")
        #expect(DeploymentNodePage(wave: 5).page(of: record).nodes.isEmpty)
    }

    @Test func aWavesAnswerCapsEachDecisionsNodeLines() throws {
        let record = Self.large()
        let text = DeploymentJSON.wave(record, 1)
        let decisions = try Self.object(text)["decisions"] as? [[String: Any]] ?? []
        #expect(decisions.count == 4)
        for decision in decisions {
            let lines = decision["lines"] as? [String] ?? []
            #expect(lines.filter { $0.hasPrefix("node ") }.count == DeploymentJSON.evidenceLinesShown, "\(lines.count) lines")
            #expect(lines.last == "… and \(Self.nodes - 64 - DeploymentJSON.evidenceLinesShown) more", "\(lines.last ?? "")")
        }
        #expect(text.utf8.count < 4 * 52 * 512, "\(text.utf8.count) bytes")
    }

    @Test func aWavesAnswerOnASmallWaveHoldsTheWholeEvidence() throws {
        var record = Self.large()
        record.nodes = Array(record.nodes.prefix(67))
        let readings: [NodeReading?] = [NodeReading(values: MetricValues([.hostCPU: 90])), nil, nil]
        let baseline = GateBaseline(nodes: Array(repeating: MetricValues([.hostCPU: 40]), count: 3), windowMilliseconds: 60_000)
        let decisions = (1...2).map { index in
            GateDecision(poll: GatePoll(index: UInt32(index), elapsedMilliseconds: UInt64(index) * 30_000, nodes: readings),
                         verdict: .wait, reason: .settling, consecutiveStable: 0, failingStreaks: [], consecutiveNoData: 0)
        }
        record.waves[1] = WaveRecord(state: .gating, baseline: baseline, decisions: decisions, decisionCount: 2)
        let answer = try Self.object(DeploymentJSON.wave(record, 1))
        let shown = (answer["decisions"] as? [[String: Any]] ?? []).map { $0["lines"] as? [String] ?? [] }
        let full = StabilizationGate.evidence(settings: record.gate, baseline: baseline, previous: decisions[0], decision: decisions[1])
        #expect(shown.count == 2 && shown[1] == full.lines, "\(shown)")
        #expect(shown[1].filter { $0.hasPrefix("node ") }.count == 3 && !shown[1].contains { $0.hasPrefix("… and ") })
        #expect(answer["nodes"] as? Int == 3)
    }

    /// The live view's answer: at most `limit` nodes of the 16,320-node wave, the rest counted (each
    /// without data in the kept polls: not stable, not failing).
    @Test func aWavesNodesAnswerHoldsAtMostItsLimitAndCountsTheRest() throws {
        let record = Self.large()
        let text = DeploymentJSON.waveNodes(record, 1, limit: DeploymentNodePage.limitRange.upperBound)
        #expect(text.utf8.count < 256 * 1_024, "\(text.utf8.count) bytes")
        let json = try Self.object(text)
        let waveNodes = Self.nodes - 64
        #expect((json["nodes"] as? [Any])?.count == 200 && json["more"] as? Int == waveNodes - 200, "\(json["more"] ?? "")")
        #expect(json["notStable"] as? Int == waveNodes && json["failing"] as? Int == 0 && json["nodeCount"] as? Int == waveNodes)
    }

    @Test func eachWavesNodeCountIsItsShareOfTheNodes() throws {
        let record = Self.large()
        let waves = try Self.object(DeploymentJSON.record(record))["waves"] as? [[String: Any]] ?? []
        let counts = waves.map { $0["nodes"] as? Int ?? -1 }
        #expect(counts == record.waves.indices.map { index in record.nodes.count { Int($0.wave) == index } })
        #expect(counts == [64, Self.nodes - 64])
    }

    @Test func aForwardedControlsAnswerDoesNotGrowWithTheFleet() throws {
        let large = Self.large()
        var small = large
        small.nodes = Array(large.nodes.prefix(1))
        small.waves[1] = WaveRecord(state: .gating)
        let largeBytes = FleetCodec.encode(.createDeployment(large)).count
        #expect(largeBytes > 1 << 20, "the record is \(largeBytes) bytes, not over one peer frame")
        let reads = MemberReads.advertised(fleetVersion: FleetCodec.deploymentHeadlineVersion)
        var sizes: [Int] = []
        for record in [small, large] {
            for change in [DeploymentChange.action(.pause), .approval(.approved)] {
                let forwarded = ClusterOutcome.applied(.deploymentStored(record, change: change)).decodable(by: reads)
                #expect(forwarded == .applied(.deploymentSummarized(DeploymentHeadline(record))))
                let encoded = ForwardedAnswer(requestID: 7, outcome: forwarded).encoded
                #expect(try ForwardedAnswer.decode(encoded) == ForwardedAnswer(requestID: 7, outcome: forwarded))
                sizes.append(encoded.count)
            }
        }
        #expect(Set(sizes).count == 1 && sizes[0] < 512, "\(sizes)")
        let older = ClusterOutcome.applied(.deploymentStored(large, change: .action(.pause)))
            .decodable(by: .advertised(fleetVersion: FleetCodec.deploymentHeadlineVersion - 1))
        #expect(older == .document(Array(DeploymentJSON.summary(large).utf8)))
        let created = ClusterOutcome.applied(.deploymentStored(small, change: .created))
        #expect(created.decodable(by: reads) == created)
    }

    @Test func aHeadlineWithCountsOutOfRangeIsRefused() throws {
        var headline = DeploymentHeadline(Self.large())
        headline.wavesPassed = 3
        let encoded = ForwardedAnswer(requestID: 1, outcome: .applied(.deploymentSummarized(headline))).encoded
        #expect(throws: BinaryDecodingError.self) { try ForwardedAnswer.decode(encoded) }
        for length in 0..<encoded.count {
            #expect(throws: BinaryDecodingError.self) { try ForwardedAnswer.decode(Array(encoded.prefix(length))) }
        }
    }
}
