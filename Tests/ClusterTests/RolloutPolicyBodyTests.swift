import Cluster
import Fleet
import Foundation
import Rollout
import Testing

/// `PUT /api/v1/environments/{name}/rollout-policy` bodies and the policy's JSON: absent fields take
/// the defaults, a shown policy sent back sets what it shows, and every refusal names its field.
struct RolloutPolicyBodyTests {
    static func decode(_ json: String) throws -> RolloutPolicyBody {
        try JSONDecoder().decode(RolloutPolicyBody.self, from: Data(json.utf8))
    }

    static func refusal(_ json: String) -> String? {
        do {
            _ = try decode(json)
            return nil
        } catch let refusal as RolloutPolicyBody.Refusal {
            return refusal.description
        } catch {
            return "not a refusal: \(error)"
        }
    }

    @Test func anEmptyBodyIsTheDefaults() throws {
        #expect(try Self.decode("{}").policy(named: "qa") == .defaults)
        #expect(try Self.decode(#"{"gate":{},"strategyParameters":{}}"#).policy == .defaults)
    }

    @Test func givenFieldsChangeOnlyThemselves() throws {
        let body = try Self.decode("""
            {"strategyParameters":{"rollingBatchSize":3,"canaryPercents":[25,100]},
             "gate":{"pollIntervalMilliseconds":1000,"minimumWaitMilliseconds":5000,"maximumWaitMilliseconds":60000,
                     "consecutiveStable":2,"cpu":{"percent":12.5},"latency":{"floor":0.5},"noDataMaximumNodes":1,
                     "hostMemoryCeilingPercent":90,"onFailure":"recordOnly"}}
            """)
        var expected = EnvironmentRolloutPolicy()
        expected.parameters = StrategyParameters(rollingBatchSize: 3, canaryPercents: [25, 100])
        expected.gate.pollIntervalMilliseconds = 1_000
        expected.gate.minimumWaitMilliseconds = 5_000
        expected.gate.maximumWaitMilliseconds = 60_000
        expected.gate.consecutiveStable = 2
        expected.gate.cpuBand.relativeBasisPoints = 1_250
        expected.gate.latencyBand.floor = 0.5
        expected.gate.noDataMaximumNodes = 1
        expected.gate.hostMemoryCeilingPercent = 90
        expected.gate.onFailure = .recordOnly
        #expect(body.policy == expected)
        let nulls = try Self.decode(#"{"strategyParameters":{"rollingBatchSize":null},"gate":{"noDataMaximumNodes":null}}"#)
        #expect(nulls.policy == .defaults)
    }

    @Test func aShownPolicySentBackSetsWhatItShows() throws {
        var policy = EnvironmentRolloutPolicy()
        policy.gate.cpuBand = GateBand(relativeBasisPoints: 1_205, floor: 2.25)
        policy.gate.memoryBand = GateBand(relativeBasisPoints: 1, floor: 0)
        policy.gate.onFailure = .pause
        policy.gate.noDataMaximumNodes = 0
        policy.parameters.rollingBatchSize = 16_384
        for shown in [policy, .defaults] {
            let body = try Self.decode(RolloutPolicyJSON.document(environment: "qa", policy: shown))
            #expect(try body.policy(named: "qa") == shown)
            #expect(body.isDefault == false && body.environment == "qa")
        }
        #expect(try Self.decode(RolloutPolicyJSON.document(environment: "qa", policy: nil)).isDefault == true)
    }

    @Test func theDocumentShowsTheEffectivePolicy() {
        #expect(RolloutPolicyJSON.document(environment: "qa", policy: nil) == """
            {"environment":"qa","default":true,"strategyParameters":{"rollingBatchSize":null,"canaryPercents":[10,30,60,100]},\
            "gate":{"pollIntervalMilliseconds":30000,"minimumWaitMilliseconds":120000,"maximumWaitMilliseconds":1800000,\
            "consecutiveStable":3,"consecutiveFailing":3,"cpu":{"percent":10,"floor":2},"memory":{"percent":10,"floor":2},\
            "latency":{"percent":15,"floor":2},"hostCPUCeilingPercent":80,"hostMemoryCeilingPercent":80,\
            "noDataMaximumNodes":null,"onFailure":"rollback"}}
            """)
    }

    @Test func aBodyNamingAnotherEnvironmentIsRefused() throws {
        let body = try Self.decode(#"{"environment":"qa"}"#)
        #expect(throws: RolloutPolicyBody.Refusal.self) { try body.policy(named: "staging") }
    }

    @Test(arguments: [
        (#"{"gates":{}}"#,
         "unknown field 'gates' (did you mean 'gate'?); a rollout policy has strategyParameters, gate, environment, default"),
        (#"{"gate":{"pollInterval":1000}}"#, "unknown field 'gate.pollInterval'; gate has pollIntervalMilliseconds, "
            + "minimumWaitMilliseconds, maximumWaitMilliseconds, consecutiveStable, consecutiveFailing, cpu, memory, latency, "
            + "hostCPUCeilingPercent, hostMemoryCeilingPercent, noDataMaximumNodes, onFailure"),
        (#"{"gate":{"cpu":{"percnt":5}}}"#,
         "unknown field 'gate.cpu.percnt' (did you mean 'gate.cpu.percent'?); gate.cpu has percent, floor"),
        (#"{"gate":5}"#, "gate must be an object"),
        (#"{"gate":{"pollIntervalMilliseconds":500}}"#, "gate.pollIntervalMilliseconds must be 1000 to 600000 milliseconds, not 500"),
        (#"{"gate":{"pollIntervalMilliseconds":"1s"}}"#, "gate.pollIntervalMilliseconds must be a whole number of milliseconds"),
        (#"{"gate":{"pollIntervalMilliseconds":1.5}}"#, "gate.pollIntervalMilliseconds must be a whole number of milliseconds"),
        (#"{"gate":{"consecutiveStable":0}}"#, "gate.consecutiveStable must be 1 to 20 polls, not 0"),
        (#"{"gate":{"consecutiveFailing":300}}"#, "gate.consecutiveFailing must be 1 to 20 polls, not 300"),
        (#"{"gate":{"hostCPUCeilingPercent":0}}"#, "gate.hostCPUCeilingPercent must be 1 to 100 percent, not 0"),
        (#"{"gate":{"cpu":{"percent":101}}}"#, "gate.cpu.percent must be 0 to 100 in steps of 0.01, not 101.0"),
        (#"{"gate":{"memory":{"percent":1.234}}}"#, "gate.memory.percent must be 0 to 100 in steps of 0.01, not 1.234"),
        (#"{"gate":{"latency":{"floor":-1}}}"#, "gate.latency.floor must be 0 to 1000000, not -1.0"),
        (#"{"gate":{"noDataMaximumNodes":16385}}"#, "gate.noDataMaximumNodes must be 0 to 16384 nodes, not 16385"),
        (#"{"gate":{"onFailure":"retry"}}"#, "gate.onFailure 'retry' is not one of rollback, pause or recordOnly"),
        (#"{"gate":{"minimumWaitMilliseconds":60000,"maximumWaitMilliseconds":30000}}"#,
         "gate.minimumWaitMilliseconds (60000) must not exceed gate.maximumWaitMilliseconds (30000)"),
        (#"{"gate":{"minimumWaitMilliseconds":0,"maximumWaitMilliseconds":1000,"pollIntervalMilliseconds":2000}}"#,
         "gate.maximumWaitMilliseconds (1000) must be at least gate.pollIntervalMilliseconds (2000)"),
        (#"{"strategyParameters":{"rollingBatchSize":0}}"#, "strategyParameters.rollingBatchSize must be 1 to 16384 nodes, not 0"),
        (#"{"strategyParameters":{"canaryPercents":[]}}"#, "strategyParameters.canaryPercents must have 1 to 10 steps, not 0"),
        (#"{"strategyParameters":{"canaryPercents":[50,30,100]}}"#,
         "strategyParameters.canaryPercents must rise and end at 100, as in [10, 30, 60, 100]"),
        (#"{"strategyParameters":{"canaryPercents":[0,100]}}"#, "strategyParameters.canaryPercents[0] must be 1 to 100 percent, not 0"),
        (#"{"strategyParameters":{"canaryPercents":"10,100"}}"#,
         "strategyParameters.canaryPercents must be an array of whole numbers of percent"),
        (#"{"default":"no"}"#, "default must be true or false"),
    ])
    func aRefusalNamesTheField(json: String, expected: String) {
        #expect(Self.refusal(json) == expected)
    }

    @Test func aBodyThatIsNoObjectIsNoRefusalOfFields() {
        #expect(Self.refusal("[1]")?.hasPrefix("not a refusal") == true)
        #expect(Self.refusal("{")?.hasPrefix("not a refusal") == true)
    }
}
