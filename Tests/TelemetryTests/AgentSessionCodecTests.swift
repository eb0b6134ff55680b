import Telemetry
import Testing
import TestSupport
import Primitives

struct AgentSessionCodecTests {
    static let hello = AgentHello(nodeName: "node-1", incarnation: 1_700_000_000_123, highestSeenTerm: 7,
                                  reportIntervalMilliseconds: 1_000, environment: "qa",
                                  labels: ["rack": "r1", "zone": "a"], moduleVersions: ["web": "1.4.2"])

    /// Every message kind, encoded.
    static let encodings: [[UInt8]] = [
        AgentSessionCodec.encode(hello),
        AgentSessionCodec.encode(AgentWelcome(leaderTerm: 9, leaderName: "c2", acknowledgedSequence: 41)),
        AgentSessionCodec.encode(AgentRedirect(term: 9, leaderName: "c2", leaderAgentAddress: "10.0.0.2:7001")),
        AgentSessionCodec.encode(AgentCommand(leaderTerm: 9, commandID: 3, action: .setReportInterval(milliseconds: 500))),
        AgentSessionCodec.encode(AgentCommandResult(commandID: 3, accepted: false, detail: "term 8 is below 9")),
        AgentSessionCodec.encodeRefusal("node n1 enrolled for environment 'staging'"),
    ]

    static func decodeAny(_ bytes: [UInt8], as kind: Int) throws(BinaryDecodingError) {
        switch kind {
        case 0: _ = try AgentSessionCodec.decodeHello(bytes)
        case 1: _ = try AgentSessionCodec.decodeWelcome(bytes)
        case 2: _ = try AgentSessionCodec.decodeRedirect(bytes)
        case 3: _ = try AgentSessionCodec.decodeCommand(bytes)
        case 4: _ = try AgentSessionCodec.decodeCommandResult(bytes)
        default: _ = try AgentSessionCodec.decodeRefusal(bytes)
        }
    }

    @Test func everyMessageRoundTrips() throws {
        #expect(try AgentSessionCodec.decodeHello(Self.encodings[0]) == Self.hello)
        #expect(try AgentSessionCodec.decodeWelcome(Self.encodings[1]).acknowledgedSequence == 41)
        #expect(try AgentSessionCodec.decodeRedirect(Self.encodings[2]).leaderAgentAddress == "10.0.0.2:7001")
        #expect(try AgentSessionCodec.decodeCommand(Self.encodings[3]).action == .setReportInterval(milliseconds: 500))
        #expect(try AgentSessionCodec.decodeCommandResult(Self.encodings[4]).detail == "term 8 is below 9")
        #expect(try AgentSessionCodec.decodeRefusal(Self.encodings[5]) == "node n1 enrolled for environment 'staging'")
    }

    /// A hello refusal's reason is cut to the session's text bound, never refused for its length.
    @Test func aLongRefusalIsCutToTheTextBound() throws {
        let long = String(repeating: "é", count: AgentSessionLimits.textBytesMaximum)
        let reason = try AgentSessionCodec.decodeRefusal(AgentSessionCodec.encodeRefusal(long))
        #expect(reason.utf8.count <= AgentSessionLimits.textBytesMaximum && long.hasPrefix(reason) && !reason.isEmpty)
    }

    @Test func aFormerLeaderTrailsTheHelloOnlyWhenThereIsOne() throws {
        var reattaching = Self.hello
        reattaching.formerLeader = FormerLeader(name: "c1", term: 6)
        let bytes = AgentSessionCodec.encode(reattaching)
        #expect(try AgentSessionCodec.decodeHello(bytes) == reattaching)
        #expect(Array(bytes.prefix(Self.encodings[0].count)) == Self.encodings[0],
                "a hello without a former leader must stay the format earlier agents send")
        for length in (Self.encodings[0].count + 1)..<bytes.count {
            #expect(throws: BinaryDecodingError.self) { try AgentSessionCodec.decodeHello(Array(bytes.prefix(length))) }
        }
        #expect(throws: BinaryDecodingError.self) { try AgentSessionCodec.decodeHello(bytes + [0]) }
    }

    @Test func everyTruncationAndTrailingByteIsRefused() {
        for (kind, bytes) in Self.encodings.enumerated() {
            for length in 0..<bytes.count {
                #expect(throws: BinaryDecodingError.self) { try Self.decodeAny(Array(bytes.prefix(length)), as: kind) }
            }
            #expect(throws: BinaryDecodingError.self) { try Self.decodeAny(bytes + [0], as: kind) }
            #expect(throws: BinaryDecodingError.unsupportedVersion(2)) { try Self.decodeAny([2] + bytes.dropFirst(), as: kind) }
        }
    }

    @Test func outOfRangeIntervalsUnknownActionsAndOversizedMapsAreRefused() {
        var slow = Self.hello
        slow.reportIntervalMilliseconds = 50
        #expect(throws: BinaryDecodingError.self) { try AgentSessionCodec.decodeHello(AgentSessionCodec.encode(slow)) }
        var crowded = Self.hello
        crowded.labels = Dictionary(uniqueKeysWithValues: (0...AgentSessionLimits.labelsMaximum).map { ("k\($0)", "v") })
        #expect(throws: BinaryDecodingError.self) { try AgentSessionCodec.decodeHello(AgentSessionCodec.encode(crowded)) }
        var unknownAction = Self.encodings[3]
        unknownAction[3] = 99
        #expect(throws: BinaryDecodingError.self) { try AgentSessionCodec.decodeCommand(unknownAction) }
    }

    @Test func randomBytesNeverTrap() {
        var random = SplitMix64(seed: 2026)
        for round in 0..<5_000 {
            let length = Int(random.next() % 96)
            var bytes = (0..<length).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            if !bytes.isEmpty { bytes[0] = 1 }
            _ = try? Self.decodeAny(bytes, as: round % Self.encodings.count)
        }
    }
}
