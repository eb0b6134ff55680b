import Rollout
import Testing

@Suite struct SettingsRefusalTests {
    @Test func defaultsAreUsable() {
        #expect(GateSettings().refusal() == nil)
        #expect(StrategyParameters().refusal() == nil)
    }

    @Test func gateSettingsOutOfBoundsAreRefused() {
        var settings = GateSettings()
        settings.pollIntervalMilliseconds = 999
        #expect(settings.refusal() != nil)
        settings = GateSettings()
        settings.minimumWaitMilliseconds = settings.maximumWaitMilliseconds + 1
        #expect(settings.refusal() != nil)
        settings = GateSettings()
        settings.consecutiveStable = 0
        #expect(settings.refusal() != nil)
        settings = GateSettings()
        settings.latencyBand.floor = .nan
        #expect(settings.refusal() != nil)
        settings = GateSettings()
        settings.hostCPUCeilingPercent = 101
        #expect(settings.refusal() != nil)
    }

    /// The first poll is never settled, so a wave proceeds at poll `consecutiveStable + 1` at the
    /// earliest: settings whose maximum wait passes before it would fail every healthy wave.
    @Test func settingsThatCanNeverProceedAreRefused() {
        var settings = GateSettings()
        settings.pollIntervalMilliseconds = 600_000
        settings.consecutiveStable = 3
        settings.maximumWaitMilliseconds = 1_800_000
        #expect(settings.refusal() == "the maximum wait must be at least (stable polls in a row + 1) poll intervals")
        settings.maximumWaitMilliseconds = 2_400_000
        #expect(settings.refusal() == nil)
    }

    @Test(arguments: [[UInt8](), [10, 30], [0, 100], [30, 10, 100], [50, 50, 100], Array(repeating: 100, count: 11)])
    func canaryStepsThatDoNotRiseToAHundredAreRefused(percents: [UInt8]) {
        #expect(StrategyParameters(canaryPercents: percents).refusal() != nil)
    }

    @Test func bandsTakeTheLargerOfShareAndFloor() {
        let band = GateBand(relativeBasisPoints: 1_000, floor: 2)
        #expect(band.width(around: 40) == 4)
        #expect(band.width(around: 3) == 2)
        #expect(GateSettings().ceiling(for: .hostCPU) == 80)
        var open = GateSettings()
        open.hostCPUCeilingPercent = 100
        #expect(open.ceiling(for: .hostCPU) == nil, "a host fully busy is never over a ceiling of 100 %")
        #expect(GateSettings().noDataAllowance(waveSize: 20) == 0)
        #expect(GateSettings().noDataAllowance(waveSize: 45) == 4)
    }
}
