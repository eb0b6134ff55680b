import Fleet
import Primitives
import Testing

/// Module records' encoding (version 8): the commands, audited or not, are version 8 and round
/// trip; a snapshot is version 8 exactly when it holds a module or an audit record of one, and
/// round trips; version 8's tags are refused in older versions; malformed fields, a table over its
/// bounds and a version twice are refused on decode; the outcomes round trip.
struct FleetCodecModuleTests {
    typealias R = ModuleStateTests
    static let context = AuditContext(user: "alice", role: .deployer, source: "10.0.0.9", atMilliseconds: 5)

    static let commands: [FleetCommand] = [
        .putModule(R.record()),
        .putModule(R.record(signature: Array(repeating: 7, count: 64))),
        .deleteModule(name: "web", version: "1.0.0"),
        .audited(context, .putModule(R.record())),
        .audited(context, .deleteModule(name: "web", version: "1.0.0")),
    ]

    @Test(arguments: commands)
    func eachModuleCommandIsVersion8AndRoundTrips(_ command: FleetCommand) throws {
        let bytes = FleetCodec.encode(command)
        #expect(bytes.first == 8)
        #expect(try FleetCodec.decodeCommand(bytes) == command)
        #expect(throws: BinaryDecodingError.self) { try FleetCodec.decodeCommand([6] + bytes.dropFirst()) }
    }

    @Test func otherAuditedCommandsKeepVersion6() {
        #expect(FleetCodec.encode(.audited(Self.context, .unlockUser(name: "b"))).first == 6)
    }

    @Test func aSnapshotIsVersion8OnlyWithModulesOrTheirAuditRecords() throws {
        var state = FleetState()
        #expect(FleetCodec.encode(state).first == 3)
        state.applyNext(.putModule(R.record()))
        state.applyNext(.putModule(R.record("api", "2.0", sha: 4, signature: Array(repeating: 9, count: 64))))
        let bytes = FleetCodec.encode(state)
        #expect(bytes.first == 8)
        #expect(try FleetCodec.decodeState(bytes) == state)

        var audited = FleetState()
        audited.applyNext(.audited(Self.context, .putModule(R.record())))
        audited.applyNext(.deleteModule(name: "web", version: "1.0.0"))
        #expect(audited.modules.isEmpty)
        #expect(FleetCodec.encode(audited).first == 8, "an older build could not read the record's action")
        #expect(try FleetCodec.decodeState(FleetCodec.encode(audited)) == audited)
    }

    @Test func malformedRecordsAreRefusedOnDecode() {
        var shortSHA = R.record()
        shortSHA.sha256 = [1, 2]
        var shortSignature = R.record()
        shortSignature.signature = [1]
        var bigManifest = R.record()
        bigManifest.manifest = Array(repeating: 32, count: ModuleRecord.manifestBytesMaximum + 1)
        for record in [shortSHA, shortSignature, bigManifest] {
            #expect(throws: BinaryDecodingError.self) { try FleetCodec.decodeCommand(FleetCodec.encode(.putModule(record))) }
        }
    }

    @Test func aSnapshotTableIsBounded() throws {
        var state = FleetState()
        state.applyNext(.putModule(R.record()))
        let bytes = FleetCodec.encode(state)
        let recordBytes = FleetCodec.encode(.putModule(R.record())).dropFirst(2)
        // The table is last: its count, then the records. A version twice is refused.
        let tableStart = bytes.count - recordBytes.count - 4
        var twice = Array(bytes[..<tableStart])
        twice += [0, 0, 0, 2] + recordBytes + recordBytes
        #expect(throws: BinaryDecodingError.self) { try FleetCodec.decodeState(twice) }
        var tooMany = Array(bytes[..<tableStart])
        let count = UInt32(FleetState.moduleVersionsMaximum + 1)
        tooMany += [UInt8(count >> 24), UInt8(count >> 16 & 0xFF), UInt8(count >> 8 & 0xFF), UInt8(count & 0xFF)]
        #expect(throws: BinaryDecodingError.self) { try FleetCodec.decodeState(tooMany) }
        // A record no command could put in the state (a name the manifest rules refuse) is refused in a snapshot too.
        let invalid = FleetCodec.encode(.putModule(R.record("Web"))).dropFirst(2)
        #expect(throws: BinaryDecodingError.self) { try FleetCodec.decodeState(Array(bytes[..<tableStart]) + [0, 0, 0, 1] + invalid) }
        #expect(try FleetCodec.decodeState(Array(bytes[..<tableStart]) + [0, 0, 0, 1] + recordBytes) == state)
    }

    @Test(arguments: [
        FleetOutcome.moduleStored(R.record(signature: Array(repeating: 1, count: 64)), created: true),
        .moduleDeleted(name: "web", version: "1.0.0"),
        .rejected(.invalidModule("why")),
        .rejected(.moduleVersionExists(name: "web", version: "1", recordedHex: "ab")),
        .rejected(.unknownModule(name: "web", version: "1")),
        .rejected(.tooManyModules(maximum: 3)),
        .rejected(.tooManyModuleVersions(name: "web", maximum: 4)),
        .rejected(.moduleSignatureDiffers(name: "web", version: "1", recordedSigned: true)),
        .rejected(.tooManyModuleVersionsInAll(maximum: 4_096)),
    ])
    func moduleOutcomesRoundTrip(_ outcome: FleetOutcome) throws {
        var writer = BinaryWriter()
        FleetCodec.write(outcome, to: &writer)
        var reader = BinaryReader(writer.bytes)
        #expect(try FleetCodec.readOutcome(&reader, textBytesMaximum: 256) == outcome)
    }
}
