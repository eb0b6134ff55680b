import Fleet
import Testing
import TestSupport
import Primitives

struct FleetCodecTests {
    @Test(arguments: [
        FleetCommand.putEnvironment(EnvironmentRecord(name: "edge", defaultStrategy: .blueGreen, requiresApproval: true,
                                                      approvalTimeoutSeconds: 3600)),
        FleetCommand.deleteEnvironment(name: "qa"),
        FleetCommand.deleteUnusedEnvironment(name: "qa"),
        FleetCommand.putMember(ClusterMemberRecord(name: "c4", peerAddress: "10.0.0.4:7000")),
        FleetCommand.deleteMember(name: "c4"),
        FleetCommand.publishAddresses(AdvertisedAddresses(name: "c1", apiAddress: "10.0.0.1:8443", agentAddress: "10.0.0.1:7001")),
        FleetCommand.putNode(NodeRecord(id: "node-1", environment: "qa", labels: ["rack": "r1", "zone": "a"],
                                        moduleVersions: ["web": "1.2.0"])),
        FleetCommand.deleteNode(id: "node-1"),
        FleetCommand.addTicketKey(TicketKeyRecord(name: Array(0..<16), secret: Array(100..<164), createdAtMilliseconds: 42)),
        FleetCommand.revokeNode(NodeRevocation(node: "lost-host", revokedAtMilliseconds: 1_800_000_000_123)),
        FleetCommand.unrevokeNode(name: "lost-host"),
    ])
    func commandsRoundTrip(command: FleetCommand) throws {
        #expect(try FleetCodec.decodeCommand(FleetCodec.encode(command)) == command)
    }

    @Test func stateRoundTripsThroughASnapshot() throws {
        var state = FleetState()
        state.apply(.putEnvironment(EnvironmentRecord(name: "edge", defaultStrategy: .canary, requiresApproval: false)), at: 7)
        state.apply(.deleteEnvironment(name: "qa"), at: 8)
        state.apply(.putMember(ClusterMemberRecord(name: "c4", peerAddress: "[::1]:7030")), at: 9)
        state.apply(.publishAddresses(AdvertisedAddresses(name: "c4", apiAddress: "[::1]:8443", agentAddress: "[::1]:7031")), at: 10)
        state.apply(.putNode(NodeRecord(id: "n1", environment: "production", labels: ["a": "b"], moduleVersions: ["m": "2"])), at: 11)
        state.apply(.addTicketKey(TicketKeyRecord(name: Array(repeating: 7, count: 16), secret: Array(repeating: 9, count: 64),
                                                  createdAtMilliseconds: 1_000)), at: 12)
        state.apply(.revokeNode(NodeRevocation(node: "n1", revokedAtMilliseconds: 1_700_000_000_000)), at: 13)
        state.apply(.revokeNode(NodeRevocation(node: "never-reported", revokedAtMilliseconds: 1_700_000_000_500)), at: 14)
        let decoded = try FleetCodec.decodeState(FleetCodec.encode(state))
        #expect(decoded == state)
        #expect(decoded.revocations.count == 2, "a snapshot carries the deny-list")
    }

    @Test func version2To4LogEntriesAndSnapshotsStillDecode() throws {
        let command = FleetCommand.putNode(NodeRecord(id: "n1", environment: "qa"))
        for version: UInt8 in [2, 3, 4, 5] {
            #expect(try FleetCodec.decodeCommand([version] + FleetCodec.encode(command).dropFirst()) == command)
        }
        var state = FleetState()
        state.apply(command, at: 3)
        let version3 = FleetCodec.encode(state)
        let version2 = [2] + version3.dropFirst().dropLast(4)
        let version4 = [4] + version3.dropFirst() + [0, 0, 0, 0]
        #expect(version3.first == 3, "a snapshot without revocations is written as version 3")
        #expect(try FleetCodec.decodeState(version3) == state)
        #expect(try FleetCodec.decodeState(Array(version2)) == state, "a snapshot written before ticket keys")
        #expect(try FleetCodec.decodeState(version4) == state, "an empty revocation table, as earlier builds wrote it")
        #expect(try FleetCodec.decodeState([5] + version4.dropFirst() + Array(repeating: 0, count: 8)) == state,
                "empty user and key tables in version 5")
        #expect(throws: BinaryDecodingError.self) { try FleetCodec.decodeState([4] + version3.dropFirst()) }
        #expect(throws: BinaryDecodingError.self) { try FleetCodec.decodeState([3] + version2.dropFirst()) }
    }

    @Test func aSnapshotDeclaringMoreRevocationsThanTheBoundIsRefused() {
        let empty = [4] + FleetCodec.encode(FleetState()).dropFirst() + [0, 0, 0, 0]
        let count = UInt32(FleetState.revocationsMaximum + 1)
        let hostile = Array(empty.dropLast(4)) + [UInt8(count >> 24), UInt8(count >> 16 & 0xFF), UInt8(count >> 8 & 0xFF),
                                                   UInt8(count & 0xFF)]
        #expect(throws: BinaryDecodingError.invalidValue(offset: empty.count - 4,
                                                         detail: "\(count) records, over \(FleetState.revocationsMaximum)")) {
            try FleetCodec.decodeState(hostile)
        }
    }

    @Test func aTicketKeysDescriptionNeverShowsItsSecret() {
        let key = TicketKeyRecord(name: Array(repeating: 0xAB, count: 16), secret: Array(repeating: 0xCD, count: 64),
                                  createdAtMilliseconds: 5)
        for text in [String(describing: key), String(reflecting: key), "\(FleetCommand.addTicketKey(key))"] {
            #expect(!text.contains("205") && !text.lowercased().contains("cdcd"), "\(text)")
        }
    }

    @Test func everyTruncationOfACommandIsRejected() {
        let bytes = FleetCodec.encode(.putEnvironment(EnvironmentRecord(name: "edge", defaultStrategy: .canary,
                                                                         requiresApproval: true)))
        for length in 0..<bytes.count {
            #expect(throws: BinaryDecodingError.self) { try FleetCodec.decodeCommand(Array(bytes.prefix(length))) }
        }
    }

    @Test func trailingBytesUnknownTagsAndVersionsAreRejected() {
        let bytes = FleetCodec.encode(.deleteEnvironment(name: "qa"))
        #expect(throws: BinaryDecodingError.self) { try FleetCodec.decodeCommand(bytes + [0]) }
        #expect(throws: BinaryDecodingError.unsupportedVersion(14)) { try FleetCodec.decodeCommand([14] + bytes.dropFirst()) }
        #expect(throws: BinaryDecodingError.self) { try FleetCodec.decodeCommand([2, 77]) }
    }

    @Test func hugeDeclaredLengthsAreRefusedWithoutAllocating() {
        let hostile: [UInt8] = [2, 2, 0xFF, 0xFF, 0xFF, 0xFF]
        #expect(throws: BinaryDecodingError.fieldTooLarge(offset: 2, bytes: 0xFFFF_FFFF, maximumBytes: 256)) {
            try FleetCodec.decodeCommand(hostile)
        }
    }

    @Test func randomBytesNeverCrashTheDecoders() {
        var generator = SplitMix64(seed: 0xF1EE7)
        for _ in 0..<3_000 {
            let count = Int.random(in: 0...64, using: &generator)
            var bytes = (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
            if !bytes.isEmpty, Bool.random(using: &generator) { bytes[0] = 1 }
            _ = try? FleetCodec.decodeCommand(bytes)
            _ = try? FleetCodec.decodeState(bytes)
        }
    }
}
