@testable import Fleet
import Primitives
import Rollout
import Testing

@Suite struct RolloutSettingsCodecTests {
    @Test func settingsAndParametersRoundTrip() throws {
        var settings = GateSettings()
        settings.pollIntervalMilliseconds = 1_000
        settings.latencyBand = GateBand(relativeBasisPoints: 2_000, floor: 0.5)
        settings.noDataMaximumNodes = 3
        settings.onFailure = .recordOnly
        let parameters = StrategyParameters(rollingBatchSize: 7, canaryPercents: [5, 50, 100])
        var writer = BinaryWriter()
        FleetCodec.writeGateSettings(settings, to: &writer)
        FleetCodec.writeStrategyParameters(parameters, to: &writer)
        var reader = BinaryReader(writer.bytes)
        #expect(try FleetCodec.readGateSettings(&reader) == settings)
        #expect(try FleetCodec.readStrategyParameters(&reader) == parameters)
        #expect(reader.isAtEnd)
    }

    @Test func settingsTheGateRefusesAreRefusedByTheDecoder() {
        var settings = GateSettings()
        settings.cpuBand.floor = .infinity
        var writer = BinaryWriter()
        FleetCodec.writeGateSettings(settings, to: &writer)
        var reader = BinaryReader(writer.bytes)
        #expect(throws: BinaryDecodingError.self) { try FleetCodec.readGateSettings(&reader) }
    }

    @Test func everyTruncationOfTheSettingsIsRefused() {
        var writer = BinaryWriter()
        FleetCodec.writeGateSettings(GateSettings(), to: &writer)
        FleetCodec.writeStrategyParameters(StrategyParameters(), to: &writer)
        for length in 0..<writer.bytes.count {
            var reader = BinaryReader(Array(writer.bytes.prefix(length)))
            #expect(throws: BinaryDecodingError.self) {
                _ = try FleetCodec.readGateSettings(&reader)
                _ = try FleetCodec.readStrategyParameters(&reader)
            }
        }
    }
}
