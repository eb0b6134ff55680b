import Fleet
import Primitives
import Testing

/// Each entry is written in the lowest version that can say it, so the build before version 4
/// (which reads 2...3) follows an upgraded leader until it writes something new; and a tag is
/// read only in the versions that have it.
struct FleetCodecVersionTests {
    static let version3Commands: [FleetCommand] = [
        .putEnvironment(EnvironmentRecord(name: "edge", defaultStrategy: .canary, requiresApproval: false)),
        .deleteEnvironment(name: "qa"),
        .putMember(ClusterMemberRecord(name: "c4", peerAddress: "10.0.0.4:7000")),
        .deleteMember(name: "c4"),
        .publishAddresses(AdvertisedAddresses(name: "c1", apiAddress: "10.0.0.1:8443", agentAddress: "10.0.0.1:7001")),
        .putNode(NodeRecord(id: "node-1", environment: "qa")),
        .deleteNode(id: "node-1"),
        .addTicketKey(TicketKeyRecord(name: Array(0..<16), secret: Array(100..<164), createdAtMilliseconds: 42)),
    ]
    static let version4Commands: [FleetCommand] = [
        .revokeNode(NodeRevocation(node: "lost-host", revokedAtMilliseconds: 1_800_000_000_123)),
        .unrevokeNode(name: "lost-host"),
        .deleteUnusedEnvironment(name: "qa"),
    ]

    @Test(arguments: version3Commands)
    func whatVersion3CanSayIsWrittenAsVersion3(_ command: FleetCommand) throws {
        let bytes = FleetCodec.encode(command)
        #expect(bytes.first == 3)
        #expect(try FleetCodec.decodeCommand(bytes) == command)
    }

    @Test(arguments: version4Commands)
    func onlyTheNewCommandsAreWrittenAsVersion4(_ command: FleetCommand) throws {
        let bytes = FleetCodec.encode(command)
        #expect(bytes.first == 4)
        #expect(try FleetCodec.decodeCommand(bytes) == command)
    }

    @Test func theDeletionsArePinned() throws {
        #expect(FleetCodec.encode(.deleteEnvironment(name: "qa")) == EnvironmentDeletionTests.pinnedDeleteVersion3)
        #expect(FleetCodec.encode(.deleteUnusedEnvironment(name: "qa")) == [0x04, 0x0B, 0x00, 0x00, 0x00, 0x02, 0x71, 0x61])
    }

    @Test(arguments: [UInt8(2), 3])
    func aTagNewerThanItsEntrysVersionIsRefused(version: UInt8) {
        for command in Self.version4Commands {
            let bytes = [version] + FleetCodec.encode(command).dropFirst()
            #expect(throws: BinaryDecodingError.self, "\(command) as version \(version)") { try FleetCodec.decodeCommand(bytes) }
        }
    }

    @Test func aTicketKeyIsNotInVersion2() {
        let bytes = [2] + FleetCodec.encode(Self.version3Commands[7]).dropFirst()
        #expect(throws: BinaryDecodingError.invalidValue(offset: 1, detail: "fleet command tag 8 is not in version 2")) {
            try FleetCodec.decodeCommand(bytes)
        }
    }

    @Test func aSnapshotIsVersion4OnlyWhileItHoldsARevocation() throws {
        var state = FleetState()
        state.apply(.putNode(NodeRecord(id: "n1", environment: "qa")), at: 1)
        #expect(FleetCodec.encode(state).first == 3)
        state.apply(.revokeNode(NodeRevocation(node: "n1", revokedAtMilliseconds: 5)), at: 2)
        let revoked = FleetCodec.encode(state)
        #expect(revoked.first == 4)
        #expect(try FleetCodec.decodeState(revoked) == state)
        state.apply(.unrevokeNode(name: "n1"), at: 3)
        let lifted = FleetCodec.encode(state)
        #expect(lifted.first == 3)
        #expect(try FleetCodec.decodeState(lifted) == state)
    }
}
