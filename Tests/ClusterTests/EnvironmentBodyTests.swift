import Cluster
import Fleet
import Foundation
import Rollout
import Testing

/// `PUT /api/v1/environments/{name}` bodies: accepted ones become the record, refused ones name
/// what is wrong (unknown fields with the nearest known one, missing fields, the valid strategies).
struct EnvironmentBodyTests {
    static func decode(_ json: String) throws -> EnvironmentBody {
        try JSONDecoder().decode(EnvironmentBody.self, from: Data(json.utf8))
    }

    static func refusal(_ json: String) -> String? {
        do {
            _ = try decode(json)
            return nil
        } catch let refusal as EnvironmentBody.Refusal {
            return refusal.description
        } catch {
            return "not a refusal: \(error)"
        }
    }

    @Test func aCompleteBodyBecomesTheRecordUnderThePathName() throws {
        let body = try Self.decode(#"{"defaultStrategy":"blueGreen","requiresApproval":true,"approvalTimeoutSeconds":600}"#)
        #expect(try body.record(named: "edge")
                == EnvironmentRecord(name: "edge", defaultStrategy: .blueGreen, requiresApproval: true, approvalTimeoutSeconds: 600))
        let short = try Self.decode(#"{"defaultStrategy":"direct","requiresApproval":false}"#)
        #expect(try short.record(named: "edge").approvalTimeoutSeconds == EnvironmentRecord.approvalTimeoutSecondsDefault)
    }

    @Test func aShownRecordSentBackIsAcceptedButItsNameMustMatchThePath() throws {
        let body = try Self.decode(#"{"name":"edge","defaultStrategy":"canary","requiresApproval":false}"#)
        #expect(try body.record(named: "edge").name == "edge")
        do {
            _ = try body.record(named: "qa")
            Issue.record("a body naming another environment was accepted")
        } catch {
            #expect(error.description == "the body names environment 'edge' but the path names 'qa'")
        }
    }

    @Test(arguments: [
        (#"{"defaultStrategey":"canary","requiresApproval":false}"#,
         "unknown field 'defaultStrategey' (did you mean 'defaultStrategy'?); "
            + "an environment has defaultStrategy, requiresApproval, approvalTimeoutSeconds and name"),
        (#"{"defaultStrategy":"canary","requiresApproval":false,"zeta":1,"aprovalTimeoutSeconds":60}"#,
         "unknown fields 'aprovalTimeoutSeconds' (did you mean 'approvalTimeoutSeconds'?), 'zeta'; "
            + "an environment has defaultStrategy, requiresApproval, approvalTimeoutSeconds and name"),
        (#"{"defaultStrategy":"fast","requiresApproval":false}"#,
         "defaultStrategy 'fast' is not one of direct, rolling, blueGreen or canary"),
        (#"{"defaultStrategy":"Canary","requiresApproval":false}"#,
         "defaultStrategy 'Canary' is not one of direct, rolling, blueGreen or canary"),
        (#"{"requiresApproval":false}"#, "missing field defaultStrategy"),
        (#"{}"#, "missing fields defaultStrategy and requiresApproval"),
        (#"{"defaultStrategy":7,"requiresApproval":false}"#, "defaultStrategy must be a string"),
        (#"{"defaultStrategy":"direct","requiresApproval":"yes"}"#, "requiresApproval must be true or false"),
        (#"{"defaultStrategy":"direct","requiresApproval":true,"approvalTimeoutSeconds":-5}"#,
         "approvalTimeoutSeconds must be a whole number of seconds"),
    ])
    func aRefusalNamesWhatIsWrong(json: String, expected: String) {
        #expect(Self.refusal(json) == expected)
    }

    @Test func aBodyThatIsNoObjectIsNoRefusalOfFields() {
        #expect(Self.refusal("[1]")?.hasPrefix("not a refusal") == true)
        #expect(Self.refusal("{")?.hasPrefix("not a refusal") == true)
    }

    @Test func theStrategyListIsEveryStrategy() {
        #expect(EnvironmentBody.strategyNames == RolloutStrategy.allCases.map(\.rawValue))
        #expect(EnvironmentBody.strategyList == "direct, rolling, blueGreen or canary")
    }
}
