import Telemetry
import Testing

/// Agent session messages byte for byte: agents and coordinators of different releases talk to
/// each other, so a hello (with a former leader) and a welcome keep their encoding.
struct AgentSessionGoldenTests {
    static let hello = AgentHello(nodeName: "n1", incarnation: 300, highestSeenTerm: 7, reportIntervalMilliseconds: 1_000,
                                  environment: "qa", labels: ["zone": "a"], moduleVersions: ["web": "1.2"],
                                  formerLeader: FormerLeader(name: "c1", term: 6))
    static let pinnedHello: [UInt8] = [
        0x01, 0x00, 0x00, 0x00, 0x02, 0x6E, 0x31, 0xAC, 0x02, 0x07, 0xE8, 0x07, 0x00, 0x00, 0x00, 0x02,
        0x71, 0x61, 0x01, 0x00, 0x00, 0x00, 0x04, 0x7A, 0x6F, 0x6E, 0x65, 0x00, 0x00, 0x00, 0x01, 0x61,
        0x01, 0x00, 0x00, 0x00, 0x03, 0x77, 0x65, 0x62, 0x00, 0x00, 0x00, 0x03, 0x31, 0x2E, 0x32, 0x00,
        0x00, 0x00, 0x02, 0x63, 0x31, 0x06,
    ]
    static let welcome = AgentWelcome(leaderTerm: 9, leaderName: "c2", acknowledgedSequence: 200)
    static let pinnedWelcome: [UInt8] = [
        0x01, 0x09, 0x00, 0x00, 0x00, 0x02, 0x63, 0x32, 0xC8, 0x01,
    ]

    @Test func aHelloEncodesToItsPinnedBytesAndDecodes() throws {
        #expect(AgentSessionCodec.encode(Self.hello) == Self.pinnedHello)
        #expect(try AgentSessionCodec.decodeHello(Self.pinnedHello) == Self.hello)
    }

    @Test func aWelcomeEncodesToItsPinnedBytesAndDecodes() throws {
        #expect(AgentSessionCodec.encode(Self.welcome) == Self.pinnedWelcome)
        let decoded = try AgentSessionCodec.decodeWelcome(Self.pinnedWelcome)
        #expect(decoded.leaderTerm == 9 && decoded.leaderName == "c2" && decoded.acknowledgedSequence == 200)
    }
}
