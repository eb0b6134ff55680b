import Fleet
import Primitives
import Testing

/// Snapshots of versions 7 and 8 byte for byte: they stay in data directories across releases.
/// Version 7 ends with the cluster version; version 8 keeps that byte where version 7 has it and
/// puts the module table after it, so a state holding both a cluster version and a module
/// writes the cluster version first. A version-7 snapshot, written by the builds before modules,
/// still decodes.
struct FleetCodecVersion8GoldenTests {
    /// Versions 2 to 6 of an empty state after the applied index: eight empty tables
    /// (environments, members, addresses, nodes, ticket keys, revocations, users, signing keys),
    /// then the audit trail: nothing dropped, no records.
    static let emptyTablesAndTrail: [UInt8] = Array(repeating: 0x00, count: 8 * 4 + 8 + 8 + 4)

    static let module = ModuleRecord(name: "m", version: "1", sha256: Array(repeating: 0xAB, count: 32), byteCount: 5,
                                     manifest: Array("{}".utf8), uploadedBy: "a", uploadedAtMilliseconds: 9)

    /// A state without the default environments, at index 4.
    static func withoutEnvironments() -> FleetState {
        var state = FleetState()
        for (offset, name) in ["development", "production", "qa", "staging"].enumerated() {
            state.apply(.deleteEnvironment(name: name), at: UInt64(offset + 1))
        }
        return state
    }

    static let stateVersion8: FleetState = {
        var state = withoutEnvironments()
        state.apply(.setClusterVersion(8), at: 5)
        state.apply(.putModule(module), at: 6)
        return state
    }()

    static let pinnedVersion8: [UInt8] = [0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x06] + emptyTablesAndTrail + [
        0x08, // the cluster version
        0x00, 0x00, 0x00, 0x01, // one module record
        0x00, 0x00, 0x00, 0x01, 0x6D, // name "m"
        0x00, 0x00, 0x00, 0x01, 0x31, // version "1"
        0x00, 0x00, 0x00, 0x20, // the SHA-256, 32 bytes
    ] + Array(repeating: 0xAB, count: 32) + [
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05, // its size
        0x00, 0x00, 0x00, 0x02, 0x7B, 0x7D, // manifest "{}"
        0x00, 0x00, 0x00, 0x01, 0x61, // uploaded by "a"
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x09, // at
        0x00, // no signature
    ]

    static let stateVersion7: FleetState = {
        var state = withoutEnvironments()
        state.apply(.setClusterVersion(7), at: 5)
        return state
    }()

    static let pinnedVersion7: [UInt8] = [0x07, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05] + emptyTablesAndTrail + [0x07]

    @Test func aVersion8SnapshotWritesTheClusterVersionBeforeTheModuleTable() throws {
        #expect(FleetCodec.encode(Self.stateVersion8) == Self.pinnedVersion8)
        let decoded = try FleetCodec.decodeState(Self.pinnedVersion8)
        #expect(decoded == Self.stateVersion8)
        #expect(decoded.clusterVersion == 8 && decoded.modules["m"]?["1"] == Self.module)
    }

    @Test func aVersion7SnapshotDecodesByThisBuild() throws {
        #expect(FleetCodec.encode(Self.stateVersion7) == Self.pinnedVersion7)
        let decoded = try FleetCodec.decodeState(Self.pinnedVersion7)
        #expect(decoded == Self.stateVersion7)
        #expect(decoded.clusterVersion == 7 && decoded.modules.isEmpty && decoded.appliedIndex == 5)
    }
}
