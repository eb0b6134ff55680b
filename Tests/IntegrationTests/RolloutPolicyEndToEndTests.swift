import Foundation
import Testing
import TestSupport

/// The environments' rollout policy against a real three-coordinator cluster: a policy set
/// through a follower (forwarded to the leader) is read back from every member, audited; a viewer
/// reads it but is refused the write (403); bodies with an unknown field or a value out of range
/// are refused 400 naming the field; DELETE goes back to the defaults. And `hotswap env policy`
/// changes the flags it names, sets a whole policy from a file and resets it.
@Suite(.serialized)
struct RolloutPolicyEndToEndTests {
    static let path = "/api/v1/environments/qa/rollout-policy"

    static func gate(_ response: APIResponse) -> [String: Any] {
        response.json["gate"] as? [String: Any] ?? [:]
    }

    @Test func aPolicySetThroughAFollowerIsReadEverywhereAndGuarded() throws {
        try Prerequisite.requireTools("curl")
        let cluster = try ClusterFixture()
        let token = try cluster.adminToken()
        let leader = try #require(cluster.agreedLeader())
        let followers = cluster.names.filter { $0 != leader }.compactMap { cluster.processes[$0] }
        let follower = try #require(followers.first)

        let initial = try follower.request("GET", Self.path, token: token)
        #expect(initial.status == 200 && initial.json["default"] as? Bool == true, "\(initial.body)")
        #expect(Self.gate(initial)["pollIntervalMilliseconds"] as? Int == 30_000)

        let body = #"{"gate":{"pollIntervalMilliseconds":1000,"minimumWaitMilliseconds":5000,"maximumWaitMilliseconds":120000,"#
            + #""onFailure":"recordOnly","latency":{"percent":20}},"strategyParameters":{"canaryPercents":[50,100]}}"#
        let put = try follower.request("PUT", Self.path, body: body, token: token)
        #expect(put.status == 200 && put.json["default"] as? Bool == false, "\(put.body)")
        #expect(Self.gate(put)["onFailure"] as? String == "recordOnly")
        for name in cluster.names {
            let member = try #require(cluster.processes[name])
            let read = eventually {
                let shown = try? member.request("GET", Self.path + "?consistency=serializable", token: token)
                return shown.map { Self.gate($0)["pollIntervalMilliseconds"] as? Int == 1_000 } ?? false
            }
            #expect(read, "\(name) never showed the policy")
        }
        let linearizable = try follower.request("GET", Self.path, token: token)
        #expect((linearizable.json["strategyParameters"] as? [String: Any])?["canaryPercents"] as? [Int] == [50, 100])
        #expect((Self.gate(linearizable)["latency"] as? [String: Any])?["percent"] as? Int == 20, "\(linearizable.body)")

        let added = try follower.request("POST", "/api/v1/users", body: #"{"name":"vic","role":"viewer","password":"Viewer-policy-58"}"#,
                                         token: token)
        #expect(added.status == 201, "\(added.body)")
        let viewerToken = try #require(try follower.login("vic", "Viewer-policy-58").json["token"] as? String)
        #expect(try follower.request("GET", Self.path, token: viewerToken).status == 200)
        #expect(try follower.request("PUT", Self.path, body: "{}", token: viewerToken).status == 403)
        #expect(try follower.request("DELETE", Self.path, token: viewerToken).status == 403)

        for (bad, field) in [(#"{"gate":{"pollIntervalMilliseconds":500}}"#, "gate.pollIntervalMilliseconds"),
                             (#"{"gate":{"pollInterval":1000}}"#, "gate.pollInterval"),
                             (#"{"gate":{"onFailure":"retry"}}"#, "gate.onFailure")] {
            let refused = try follower.request("PUT", Self.path, body: bad, token: token)
            #expect(refused.status == 400 && refused.errorCode == "invalid_body" && refused.body.contains(field), "\(refused.body)")
        }
        #expect(try follower.request("PUT", Self.path, body: "[", token: token).status == 400)
        #expect(try follower.request("GET", "/api/v1/environments/edge/rollout-policy", token: token).status == 404)
        #expect(try follower.request("PUT", "/api/v1/environments/edge/rollout-policy", body: "{}", token: token).status == 404)
        #expect(Self.gate(try follower.request("GET", Self.path, token: token))["onFailure"] as? String == "recordOnly",
                "a refused write changed nothing")

        let reset = try follower.request("DELETE", Self.path, token: token)
        #expect(reset.status == 200 && reset.json["default"] as? Bool == true, "\(reset.body)")
        let audit = try follower.request("GET", "/api/v1/audit", token: token)
        #expect(audit.body.components(separatedBy: "environment.rollout_policy").count - 1 >= 2, "\(audit.body)")
    }

    @Test func theCommandLineChangesWhatItsFlagsNameSetsAFileAndResets() throws {
        try Prerequisite.requireTools("curl")
        let certificates = try CertificateFixture()
        let coordinator = try CoordinatorProcess(tlsDirectory: certificates.tlsDirectory)
        let run = { (arguments: [String]) in
            try EnvironmentCommandTests.hotswap(["env", "policy", "staging"] + arguments, on: coordinator, ca: certificates.ca)
        }
        let shown = try run([])
        #expect(shown.status == 0 && shown.standardOutput.contains("staging: the defaults"), "\(shown.combined)")

        let set = try run(["--poll-interval", "1s", "--minimum-wait", "5s", "--maximum-wait", "2m", "--on-failure", "pause",
                           "--canary", "20,100"])
        #expect(set.status == 0 && set.standardOutput.contains("a poll every 1s, waves gated 5s to 2m"), "\(set.combined)")
        #expect(set.standardOutput.contains("on failure: pause") && set.standardOutput.contains("20% → 100%"))
        let json = try run(["-o", "json"])
        let document = APIResponse.jsonObject(json.standardOutput)
        #expect((document["gate"] as? [String: Any])?["pollIntervalMilliseconds"] as? Int == 1_000, "\(json.combined)")

        let kept = try run(["--consecutive-stable", "2"])
        #expect(kept.standardOutput.contains("a poll every 1s") && kept.standardOutput.contains("2 stable polls"), "\(kept.combined)")

        let file = TemporaryDirectory()
        let bodyPath = "\(file.path)/policy.json"
        try Data(#"{"gate":{"onFailure":"recordOnly"}}"#.utf8).write(to: URL(fileURLWithPath: bodyPath))
        let whole = try run(["--set-json", bodyPath])
        #expect(whole.status == 0 && whole.standardOutput.contains("a poll every 30s"), "fields the file leaves out take the defaults")
        #expect(whole.standardOutput.contains("on failure: recordOnly"), "\(whole.combined)")

        let refused = try run(["--poll-interval", "1s", "--maximum-wait", "500ms"])
        #expect(refused.status == 1 && refused.combined.contains("gate.maximumWaitMilliseconds"), "\(refused.combined)")
        #expect(try run(["--reset", "--on-failure", "pause"]).status == 2)
        let reset = try run(["--reset"])
        #expect(reset.status == 0 && reset.standardOutput.contains("staging: the defaults"), "\(reset.combined)")
    }
}
