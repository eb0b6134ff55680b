import HostInstall
import Primitives
import Testing

/// The record's bytes: every state round-trips, and damaged or out-of-bounds bytes are refused
/// with the offset, never read as another state.
struct RecordCodecTests {
    static let failedOperation = OperationID(deploymentID: "dep-7.x_1", wave: 4_000_000_000, kind: .install(version: "2.0"))
    static let withdrawal = OperationID(deploymentID: "back", wave: 9, kind: .switchBack(from: "1.0"))
    static let failedIntent = InstallIntent(operation: failedOperation,
                                            target: "2.0", strategy: .blueGreen, step: .rollbackLink,
                                            previous: ActiveVersion(version: "1.0", port: 65_535), targetPort: 1,
                                            failedStep: .link, reason: "web 2.0: switch of current failed: é", interrupted: true)

    static let records: [InstallRecord] = [
        InstallRecord(module: "a"),
        InstallRecord(module: "web", term: .max, committed: ActiveVersion(version: "1.0", port: nil), retained: ["0.9", "0.8+b"]),
        InstallRecord(module: "web-2", term: 3, sequence: 12, committed: ActiveVersion(version: "1.0", port: 65_535), retained: ["0.9"],
                      toStop: ["0.8"],
                      intent: failedIntent,
                      completed: [InstallResult(operation: OperationID(deploymentID: "d", wave: 0, attempt: 2,
                                                                       kind: .switchBack(from: "1.0")),
                                                outcome: .refused,
                                                active: nil, reason: "no earlier version"),
                                  InstallResult(operation: OperationID(deploymentID: "d", wave: 1, kind: .install(version: "1.0")),
                                                outcome: .installed, active: ActiveVersion(version: "1.0", port: 8080))]),
        InstallRecord(module: "web", intent: InstallIntent(operation: OperationID(deploymentID: "d", wave: 1,
                                                                                  kind: .install(version: "1.0")),
                                                           target: "1.0", strategy: .inPlace, step: .unpack, previous: nil)),
    ]

    @Test(arguments: records)
    func aRecordDecodesToItself(record: InstallRecord) throws {
        let bytes = InstallRecordCodec.encode(record)
        #expect(Array(bytes.prefix(5)) == Array("HSIR".utf8) + [1])
        #expect(try InstallRecordCodec.decode(bytes) == record)
    }

    @Test func everyRecordTheCoreWritesDecodes() throws {
        var driver = CoreDriver(Fixture.committed("1.0"), ports: Fixture.ports)
        driver.failing = [.link: "boom"]
        driver.run(Fixture.install("2.0", strategy: .blueGreen))
        driver.failing = [:]
        driver.crashAt = .stopPreviousAfterSwitch
        driver.run(Fixture.install("3.0", wave: 2, strategy: .blueGreen))
        _ = driver.restart()
        driver.run(Fixture.switchBack(from: "3.0"))
        for case let .persist(record) in driver.actions {
            #expect(try InstallRecordCodec.decode(InstallRecordCodec.encode(record)) == record)
        }
    }

    @Test func everyCutShortRecordIsRefused() {
        let bytes = InstallRecordCodec.encode(Self.records[2])
        for length in 0..<bytes.count {
            #expect(throws: BinaryDecodingError.self) { try InstallRecordCodec.decode(Array(bytes.prefix(length))) }
        }
        #expect(throws: BinaryDecodingError.trailingBytes(offset: bytes.count, count: 1)) {
            try InstallRecordCodec.decode(bytes + [0])
        }
    }

    @Test func damagedFieldsAreRefusedByName() {
        let bytes = InstallRecordCodec.encode(InstallRecord(module: "web", committed: ActiveVersion(version: "1.0", port: 1)))
        var magic = bytes
        magic[0] = UInt8(ascii: "X")
        #expect(Self.refusal(magic)?.contains("no HSIR magic") == true)
        var format = bytes
        format[4] = 2
        #expect(Self.refusal(format) == BinaryDecodingError.unsupportedVersion(2).description)
        var name = bytes
        name[9] = UInt8(ascii: "W")
        #expect(Self.refusal(name)?.contains("name 'Web' must be") == true)
        var version = bytes
        version[34] = UInt8(ascii: "/")
        #expect(Self.refusal(version)?.contains("version '1/0' must be") == true)
        var flag = bytes
        flag[28] = 2
        #expect(Self.refusal(flag)?.contains("boolean byte 2") == true)
    }

    @Test func damagedEnumerationsAndCountsAreRefused() {
        var record = Self.records[2]
        record.completed = []
        record.retained = []
        record.toStop = []
        let bytes = InstallRecordCodec.encode(record)
        let intentStart = 4 + 1 + 4 + 5 + 8 + 8 + 1 + 4 + 3 + 2 + 1 + 1 + 1
        let strategy = intentStart + 4 + 9 + 4 + 4 + 1 + 4 + 3 + 4 + 3
        var damaged = bytes
        damaged[strategy] = 9
        #expect(Self.refusal(damaged)?.contains("unknown install strategy") == true)
        damaged = bytes
        damaged[strategy + 1] = 8
        #expect(Self.refusal(damaged)?.contains("unknown step") == true)
        damaged = bytes
        damaged[intentStart - 3] = UInt8(InstallLimits.retainedVersionsRange.upperBound + 1)
        #expect(Self.refusal(damaged)?.contains("17 retained versions; at most 16") == true)
    }

    /// States no core makes are refused, not read as something the core would act on.
    @Test(arguments: [
        (InstallRecord(module: "web", committed: ActiveVersion(version: "1.0", port: 1), retained: ["0.9", "0.9"]), "twice"),
        (InstallRecord(module: "web", committed: ActiveVersion(version: "1.0", port: 1), retained: ["1.0"]), "beside the committed"),
        (InstallRecord(module: "web", committed: ActiveVersion(version: "1.0", port: 1), toStop: ["1.0"]), "beside the committed"),
        (InstallRecord(module: "web", intent: InstallIntent(operation: failedOperation, target: "2.0", strategy: .inPlace,
                                                            step: .stopPrevious, previous: nil)), "needs a previous version"),
        (InstallRecord(module: "web", committed: ActiveVersion(version: "1.0", port: 1),
                       intent: InstallIntent(operation: failedOperation, target: "2.0", strategy: .inPlace, step: .startTarget,
                                             previous: ActiveVersion(version: "1.0", port: 1), failedStep: .probeTarget)),
         "exactly while switching back"),
        (InstallRecord(module: "web", committed: ActiveVersion(version: "2.0", port: 1),
                       intent: InstallIntent(operation: failedOperation, target: "2.0", strategy: .inPlace, step: .unpack,
                                             previous: ActiveVersion(version: "2.0", port: 1))), "targets the committed version"),
        (InstallRecord(module: "web", committed: ActiveVersion(version: "1.0", port: 1),
                       intent: InstallIntent(operation: failedOperation, target: "2.0", strategy: .inPlace, step: .unpack,
                                             previous: nil)), "began from another version"),
        (InstallRecord(module: "web", committed: ActiveVersion(version: "0.9", port: 1),
                       intent: InstallIntent(operation: withdrawal, target: "1.0", strategy: .inPlace, step: .rollbackStopTarget,
                                             previous: ActiveVersion(version: "0.9", port: 1), failedStep: .link)),
         "a withdrawal of 1.0 in a state no withdrawal reaches"),
        (InstallRecord(module: "web", intent: InstallIntent(operation: withdrawal, target: "1.0", strategy: .inPlace, step: .unpack,
                                                            previous: nil)), "a withdrawal of 1.0 in a state no withdrawal reaches"),
        (InstallRecord(module: "web", retained: ["0.9"],
                       intent: InstallIntent(operation: withdrawal, target: "1.0", strategy: .inPlace, step: .rollbackLink,
                                             previous: nil, failedStep: .link)), "a withdrawal of 1.0 in a state no withdrawal reaches"),
        (InstallRecord(module: "web", committed: ActiveVersion(version: "2.0", port: 1),
                       intent: InstallIntent(operation: withdrawal, target: "0.9", strategy: .inPlace, step: .unpack,
                                             previous: ActiveVersion(version: "2.0", port: 1))), "began from another version"),
    ])
    func aStateNoCoreMakesIsRefused(record: InstallRecord, expected: String) {
        #expect(Self.refusal(InstallRecordCodec.encode(record))?.contains(expected) == true)
    }

    /// Every state the core reaches on a seeded walk of commands, failures, crashes and restarts round-trips.
    @Test(arguments: 0..<UInt64(8))
    func everyStateTheCoreReachesRoundTrips(seed: UInt64) throws {
        var random = SplitMix64(seed: seed)
        var driver = CoreDriver(InstallRecord(module: "web"), retainedMaximum: 1 + Int(random.next() % 16), ports: Fixture.ports)
        let steps = InstallStep.allCases
        let versions = ["1.0", "2.0", "3.0", "4.0", "5.0", "6.0", "9.0"]
        for round in 0..<UInt32(60) {
            let failing = steps[Int(random.next() % UInt64(steps.count))]
            driver.failing = random.next() % 3 == 0 ? [failing: String(repeating: "x", count: 600)] : [:]
            driver.crashAt = random.next() % 4 == 0 ? steps[Int(random.next() % UInt64(steps.count))] : nil
            let version = versions[Int(random.next() % UInt64(versions.count))]
            let strategy: InstallStrategy = random.next() % 2 == 0 ? .inPlace : .blueGreen
            switch random.next() % 5 {
            case 0: driver.run(Fixture.switchBack(from: version, wave: round, strategy: strategy))
            case 1: _ = driver.restart()
            case 2: if let stop = driver.core.record.toStop.first { driver.run(.stopped(version: stop)) }
            default: driver.run(Fixture.install(version, wave: round, strategy: strategy))
            }
        }
        for case let .persist(record) in driver.actions {
            #expect(try InstallRecordCodec.decode(InstallRecordCodec.encode(record)) == record)
        }
        #expect(try InstallRecordCodec.decode(InstallRecordCodec.encode(driver.core.record)) == driver.core.record)
    }

    @Test func encodingNeverTrapsOnAnOutOfRangePort() throws {
        let record = InstallRecord(module: "web", committed: ActiveVersion(version: "1.0", port: 70_000))
        #expect(try InstallRecordCodec.decode(InstallRecordCodec.encode(record)).committed == ActiveVersion(version: "1.0", port: nil))
    }

    static func refusal(_ bytes: [UInt8]) -> String? {
        do {
            _ = try InstallRecordCodec.decode(bytes)
            return nil
        } catch {
            return error.description
        }
    }
}

/// The record's bytes as Scripts/fuzz seeds them, field by field.
struct RecordGoldenBytesTests {
    static func bytes(_ text: String) -> [UInt8] {
        var result: [UInt8] = []
        var scalars = Array(text.unicodeScalars)[...]
        while let scalar = scalars.popFirst() {
            if scalar == "\\", scalars.first == "x" {
                let hex = String(String.UnicodeScalarView(scalars.dropFirst().prefix(2)))
                result.append(UInt8(hex, radix: 16)!)
                scalars = scalars.dropFirst(3)
            } else {
                result.append(UInt8(scalar.value))
            }
        }
        return result
    }

    @Test func aCommittedVersionIsTheseBytes() throws {
        let record = InstallRecord(module: "web", term: 1, committed: ActiveVersion(version: "1.0", port: 8080))
        let text = #"HSIR\x01\x03\x00\x00\x00web\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"#
            + #"\x01\x03\x00\x00\x001.0\x90\x1f\x00\x00\x00\x00"#
        #expect(InstallRecordCodec.encode(record) == Self.bytes(text))
    }

    @Test func anInstallInFlightIsTheseBytes() throws {
        var record = InstallRecord(module: "web", term: 1, committed: ActiveVersion(version: "1.0", port: 8080))
        record.intent = InstallIntent(operation: OperationID(deploymentID: "d1", wave: 1, kind: .install(version: "2.0")), target: "2.0",
                                      strategy: .blueGreen, step: .probeTarget, previous: record.committed, targetPort: 8081)
        let text = #"HSIR\x01\x03\x00\x00\x00web\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"#
            + #"\x01\x03\x00\x00\x001.0\x90\x1f\x00\x00\x01"#
            + #"\x02\x00\x00\x00d1\x01\x00\x00\x00\x00\x00\x00\x00\x01\x03\x00\x00\x002.0\x03\x00\x00\x002.0\x02\x04"#
            + #"\x01\x03\x00\x00\x001.0\x90\x1f\x91\x1f\x00\x00\x00\x00"#
        #expect(InstallRecordCodec.encode(record) == Self.bytes(text))
    }
}
