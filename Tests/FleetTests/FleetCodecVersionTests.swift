import Fleet
import Primitives
import Testing

/// Each entry is written in the lowest version that can say it, so the builds before versions 4
/// and 5 follow an upgraded leader until it writes something new; and a tag is read only in the
/// versions that have it.
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

    /// Each command with the version it is written in: the lowest that has its tag.
    static let versions: [(FleetCommand, UInt8)] = version3Commands.map { ($0, 3) } + version4Commands.map { ($0, 4) }
        + FleetCodecUserTests.commands.map { ($0, 5) }

    @Test(arguments: versions)
    func eachCommandIsWrittenInTheLowestVersionThatHasIt(_ command: FleetCommand, version: UInt8) throws {
        let bytes = FleetCodec.encode(command)
        #expect(bytes.first == version)
        #expect(try FleetCodec.decodeCommand(bytes) == command)
        // Version 3 is the lowest written, so its commands' tags may be older; later ones are new there.
        for earlier in 2..<version where version > 3 {
            #expect(throws: BinaryDecodingError.self, "\(command) as version \(earlier)") {
                try FleetCodec.decodeCommand([earlier] + bytes.dropFirst())
            }
        }
    }

    /// Tag 2 is the unconditional deletion in every version but 4, which the builds before
    /// `deleteUnusedEnvironment` had its own tag wrote for the refusing one.
    @Test(arguments: [(UInt8(2), FleetCommand.deleteEnvironment(name: "qa")), (3, .deleteEnvironment(name: "qa")),
                      (4, .deleteUnusedEnvironment(name: "qa")), (5, .deleteEnvironment(name: "qa"))])
    func theDeletionTagMeansWhatItsVersionMeant(version: UInt8, command: FleetCommand) throws {
        let bytes = [version] + EnvironmentDeletionTests.pinnedDeleteVersion3.dropFirst()
        #expect(try FleetCodec.decodeCommand(bytes) == command)
    }

    @Test func theDeletionsArePinned() throws {
        #expect(FleetCodec.encode(.deleteEnvironment(name: "qa")) == EnvironmentDeletionTests.pinnedDeleteVersion3)
        #expect(FleetCodec.encode(.deleteUnusedEnvironment(name: "qa")) == [0x04, 0x0B, 0x00, 0x00, 0x00, 0x02, 0x71, 0x61])
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
