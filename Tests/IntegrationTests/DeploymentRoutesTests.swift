import Foundation
import Testing
import TestSupport

/// The deployment and approval routes on a real coordinator, with nodes recorded by scripted agent
/// hellos (`FrameAgent`, mutual TLS) that stay attached and never answer an order, so a running
/// deployment stays in its first wave: a deployment in `development` is 202 with its id and
/// `Location`, shown with its waves and nodes, and a second of the module there is 409; in
/// `staging` it awaits approval, is listed under approvals, a deployer may not approve it (403),
/// an admin's approval runs it and a rejection (reason required) aborts the next; pause, resume,
/// abort, a transition not allowed (409), an unknown id (404), bodies refused 400 naming the
/// field, a viewer refused every write (403); and the command line: `hotswap deploy`, `deployment
/// list|show|explain|watch|pause|abort`, `approvals list|reject`, and `deploy --watch` following a
/// deployment until its rejection ends it with exit 1.
@Suite(.serialized)
struct DeploymentRoutesTests {
    let certificates: CertificateFixture
    let coordinator: CoordinatorProcess
    let work = TemporaryDirectory()
    let token: String
    let agents: [FrameAgent]

    init() throws {
        try Prerequisite.requireTools("curl")
        certificates = try CertificateFixture(agents: ["node-1", "node-2", "node-3"])
        coordinator = try CoordinatorProcess(tlsDirectory: certificates.tlsDirectory)
        let token = try coordinator.adminToken()
        self.token = token
        try ModuleFixture.awaitModuleRecords(on: coordinator, token: token)
        let module = try ModuleFixture("web", "2.0.0", payload: Array("run".utf8), in: work)
        try module.upload(to: coordinator, as: "web/2.0.0", token: token)
        var agents: [FrameAgent] = []
        for (node, environment) in [("node-1", "development"), ("node-2", "development"), ("node-3", "staging")] {
            let client = try TestTLSClient(certificate: certificates.certificate(node), key: certificates.key(node), ca: certificates.ca)
            let agent = FrameAgent(client: client, port: coordinator.agentPort)
            agent.hello(node, environment: environment)
            agents.append(agent)
        }
        self.agents = agents
        let coordinator = coordinator
        let recorded = eventually {
            ["node-1", "node-2", "node-3"].allSatisfy { node in
                let listing = (try? coordinator.request("GET", "/api/v1/nodes/\(node)/modules", token: token))?.json ?? [:]
                return (listing["moduleVersions"] as? [String: String])?["web"] == "1.0.0"
            }
        }
        #expect(recorded, "the agents' node records (with their module versions) were never replicated")
    }

    func user(_ name: String, role: String) throws -> String {
        let password = "Sturdy-gate-pass-48"
        let body = #"{"name":"\#(name)","role":"\#(role)","password":"\#(password)"}"#
        let added = try coordinator.request("POST", "/api/v1/users", body: body, token: token)
        #expect(added.status == 201, "\(added.body)")
        return try #require(try coordinator.login(name, password).json["token"] as? String)
    }

    /// Creates a deployment, retrying while the cluster version is still being raised to 10.
    func create(_ body: String, token: String? = nil) throws -> APIResponse {
        var response = try coordinator.request("POST", "/api/v1/deployments", body: body, token: token ?? self.token)
        _ = eventually {
            guard response.errorCode == "cluster_upgrading" else { return true }
            response = (try? coordinator.request("POST", "/api/v1/deployments", body: body, token: token ?? self.token)) ?? response
            return false
        }
        return response
    }

    @Test func aDeploymentIsCreatedShownListedAndControlled() throws {
        defer { agents.forEach { $0.close() } }
        let created = try create(#"{"module":"web","version":"2.0.0","environment":"development","strategy":"rolling","#
                                 + #""strategyParameters":{"rollingBatchSize":1},"gate":{"onFailure":"pause"}}"#)
        #expect(created.status == 202 && created.json["state"] as? String == "running", "\(created.body)")
        let id = try #require(created.json["id"] as? String)
        #expect(id.hasPrefix("d-") && id.count == 14 && created.headers["location"] == "/api/v1/deployments/\(id)")

        let shown = try coordinator.request("GET", "/api/v1/deployments/\(id)", token: token)
        #expect(shown.status == 200 && shown.json["strategy"] as? String == "rolling", "\(shown.body)")
        let waves = shown.json["waves"] as? [[String: Any]] ?? []
        let nodes = shown.json["nodes"] as? [[String: Any]] ?? []
        #expect(waves.count == 2 && nodes.map { $0["id"] as? String } == ["node-1", "node-2"])
        #expect(nodes.first?["previousVersion"] as? String == "1.0.0", "the version the node's record lists")
        let gate = (shown.json["settings"] as? [String: Any])?["gate"] as? [String: Any] ?? [:]
        #expect(gate["onFailure"] as? String == "pause" && gate["pollIntervalMilliseconds"] as? Int == 30_000)

        let second = try create(#"{"module":"web","version":"2.0.0","environment":"development"}"#)
        #expect(second.status == 409 && second.errorCode == "deployment_in_progress" && second.body.contains(id), "\(second.body)")
        let listed = try coordinator.request("GET", "/api/v1/deployments?environment=development&limit=1", token: token)
        let summaries = listed.json["deployments"] as? [[String: Any]] ?? []
        #expect(summaries.first?["id"] as? String == id && listed.json["next"] is NSNull, "\(listed.body)")

        let paused = try coordinator.request("POST", "/api/v1/deployments/\(id)/pause", body: #"{"reason":"look first"}"#, token: token)
        #expect(paused.status == 200 && paused.json["state"] as? String == "paused", "\(paused.body)")
        let again = try coordinator.request("POST", "/api/v1/deployments/\(id)/pause", token: token)
        #expect(again.status == 409 && again.errorCode == "invalid_transition", "\(again.body)")
        let resumed = try coordinator.request("POST", "/api/v1/deployments/\(id)/resume", token: token)
        #expect(resumed.status == 200 && resumed.json["state"] as? String == "running", "\(resumed.body)")
        let aborted = try coordinator.request("POST", "/api/v1/deployments/\(id)/abort", token: token)
        #expect(aborted.status == 200 && aborted.json["state"] as? String == "aborted", "\(aborted.body)")
        let missing = try coordinator.request("POST", "/api/v1/deployments/d-000000000000/abort", token: token)
        #expect(missing.status == 404 && missing.errorCode == "not_found", "\(missing.body)")
        #expect(try coordinator.request("GET", "/api/v1/deployments/d-000000000000", token: token).status == 404)
        let audit = try coordinator.request("GET", "/api/v1/audit", token: token)
        #expect(audit.body.contains(id), "the deployment's writes are audited: \(audit.body)")

        let listing = try hotswap(["deployment", "list", "-o", "json"])
        #expect(listing.status == 0 && listing.standardOutput.contains(id), "\(listing.combined)")
    }

    @Test func anApprovalIsAnAdminsAndARejectionNeedsAReason() throws {
        defer { agents.forEach { $0.close() } }
        let deployer = try user("dana", role: "deployer")
        let body = #"{"module":"web","version":"2.0.0","environment":"staging"}"#
        let created = try create(body, token: deployer)
        #expect(created.status == 202 && created.json["state"] as? String == "awaiting_approval", "\(created.body)")
        let id = try #require(created.json["id"] as? String)
        let approvals = try coordinator.request("GET", "/api/v1/approvals", token: deployer)
        #expect((approvals.json["approvals"] as? [[String: Any]])?.first?["id"] as? String == id, "\(approvals.body)")
        let byDeployer = try coordinator.request("POST", "/api/v1/approvals/\(id)/approve", token: deployer)
        #expect(byDeployer.status == 403, "\(byDeployer.body)")
        let approved = try coordinator.request("POST", "/api/v1/approvals/\(id)/approve", token: token)
        #expect(approved.status == 200 && approved.json["state"] as? String == "running", "\(approved.body)")
        let late = try coordinator.request("POST", "/api/v1/approvals/\(id)/approve", token: token)
        #expect(late.status == 409 && late.errorCode == "invalid_transition", "\(late.body)")
        let rolledBack = try coordinator.request("POST", "/api/v1/deployments/\(id)/abort", token: deployer)
        #expect(rolledBack.status == 200, "\(rolledBack.body)")

        let next = try create(body, token: deployer)
        let nextID = try #require(next.json["id"] as? String, "\(next.body)")
        let bare = try coordinator.request("POST", "/api/v1/approvals/\(nextID)/reject", token: token)
        #expect(bare.status == 400 && bare.errorCode == "invalid_body" && bare.body.contains("reason"), "\(bare.body)")
        let blank = try coordinator.request("POST", "/api/v1/approvals/\(nextID)/reject", body: #"{"reason":" \t "}"#, token: token)
        #expect(blank.status == 400 && blank.errorCode == "invalid_body", "a reason of spaces is none: \(blank.body)")
        let rejected = try coordinator.request("POST", "/api/v1/approvals/\(nextID)/reject", body: #"{"reason":"not this week"}"#,
                                               token: token)
        #expect(rejected.status == 200 && rejected.json["state"] as? String == "aborted", "\(rejected.body)")
        let decision = rejected.json["approval"] as? [String: Any] ?? [:]
        #expect(decision["decision"] as? String == "rejected" && decision["reason"] as? String == "not this week")
    }

    @Test func badBodiesViewersAndUnknownsAreRefused() throws {
        defer { agents.forEach { $0.close() } }
        let viewer = try user("vern", role: "viewer")
        let cases: [(String, Int, String, String)] = [
            (#"{"module":"web","version":"2.0.0"}"#, 400, "invalid_body", "environment"),
            (#"{"module":"web","version":"2.0.0","environment":"development","strategy":"sideways"}"#, 400, "invalid_body", "strategy"),
            (#"{"module":"web","version":"2.0.0","environment":"development","gate":{"pollInterval":1}}"#, 400, "invalid_body",
             "gate.pollInterval"),
            (#"{"module":"web","version":"2.0.0","environment":"development","installConcurrency":0}"#, 400, "invalid_body",
             "installConcurrency"),
            (#"{"module":"web","version":"2.0.0","environment":"development","colour":1}"#, 400, "invalid_body", "colour"),
            ("[", 400, "invalid_json", "module"),
            (#"{"module":"web","version":"2.0.0","environment":"edge"}"#, 404, "not_found", "edge"),
            (#"{"module":"web","version":"9.9.9","environment":"development"}"#, 404, "not_found", "9.9.9"),
            (#"{"module":"web","version":"2.0.0","environment":"production"}"#, 422, "no_nodes", "production"),
        ]
        for (body, status, code, field) in cases {
            let refused = try create(body)
            #expect(refused.status == status && refused.errorCode == code && refused.body.contains(field), "\(body): \(refused.body)")
        }
        let byViewer = try create(#"{"module":"web","version":"2.0.0","environment":"development"}"#, token: viewer)
        #expect(byViewer.status == 403, "\(byViewer.body)")
        for path in ["/api/v1/deployments/d-000000000000/pause", "/api/v1/approvals/d-000000000000/approve"] {
            #expect(try coordinator.request("POST", path, token: viewer).status == 403, "\(path)")
        }
        #expect(try coordinator.request("GET", "/api/v1/deployments", token: viewer).status == 200)
        let query = try coordinator.request("GET", "/api/v1/deployments?state=sleeping", token: viewer)
        #expect(query.status == 400 && query.errorCode == "invalid_query", "\(query.body)")
        let reason = try coordinator.request("POST", "/api/v1/deployments/d-000000000000/pause", body: #"{"why":"x"}"#, token: token)
        #expect(reason.status == 400 && reason.body.contains("why"), "\(reason.body)")
        let long = String(repeating: "a", count: 300)
        for path in ["/api/v1/deployments/\(long)/pause", "/api/v1/approvals/\(long)/approve", "/api/v1/deployments/\(long)"] {
            let answer = try coordinator.request(path.hasSuffix(long) ? "GET" : "POST", path, token: token)
            #expect(answer.status == 404 && answer.errorCode == "not_found", "an id no deployment can have: \(path): \(answer.body)")
        }
    }

    /// The record pages its nodes (`limit`, `after` = `nodesNext`, `wave`) and refuses a query it
    /// does not know; a wave's decisions and its nodes' figures are their own routes; the approvals show a request's gate
    /// overrides, in the API and on the command line.
    @Test func aRecordPagesItsNodesAWaveHasItsRouteAndApprovalsShowOverrides() throws {
        defer { agents.forEach { $0.close() } }
        let created = try create(#"{"module":"web","version":"2.0.0","environment":"development","strategy":"direct"}"#)
        let id = try #require(created.json["id"] as? String, "\(created.body)")
        let first = try coordinator.request("GET", "/api/v1/deployments/\(id)?limit=1", token: token)
        let firstNodes = (first.json["nodes"] as? [[String: Any]] ?? []).map { $0["id"] as? String }
        #expect(firstNodes == ["node-1"] && first.json["nodesNext"] as? String == "0", "\(first.body)")
        let second = try coordinator.request("GET", "/api/v1/deployments/\(id)?limit=1&after=0", token: token)
        let secondNodes = (second.json["nodes"] as? [[String: Any]] ?? []).map { $0["id"] as? String }
        #expect(secondNodes == ["node-2"] && second.json["nodesNext"] is NSNull, "\(second.body)")
        let wave = try coordinator.request("GET", "/api/v1/deployments/\(id)/waves/0", token: token)
        #expect(wave.status == 200 && wave.json["decisions"] is [Any] && wave.json["index"] as? Int == 0, "\(wave.body)")
        let missing = try coordinator.request("GET", "/api/v1/deployments/\(id)/waves/1", token: token)
        #expect(missing.status == 404 && missing.errorCode == "not_found" && missing.body.contains("1 wave(s), 0 to 0"), "\(missing.body)")
        let waveNodes = try coordinator.request("GET", "/api/v1/deployments/\(id)/waves/0/nodes?limit=1", token: token)
        let shownNodes = (waveNodes.json["nodes"] as? [[String: Any]] ?? []).map { $0["id"] as? String }
        #expect(waveNodes.status == 200 && shownNodes == ["node-1"] && waveNodes.json["more"] as? Int == 1, "\(waveNodes.body)")
        let missingNodes = try coordinator.request("GET", "/api/v1/deployments/\(id)/waves/1/nodes", token: token)
        #expect(missingNodes.status == 404 && missingNodes.errorCode == "not_found", "\(missingNodes.body)")
        for query in ["/waves/x", "/waves/-1", "colour=1", "limit=0", "limit=1&limit=2", "after=-1", "wave=64", "/waves/0?limit=1",
                      "/waves/x/nodes", "/waves/0/nodes?limit=0", "/waves/0/nodes?limit=201", "/waves/0/nodes?limit=1&limit=2",
                      "/waves/0/nodes?after=1"] {
            let path = query.hasPrefix("/") ? "/api/v1/deployments/\(id)\(query)" : "/api/v1/deployments/\(id)?\(query)"
            let refused = try coordinator.request("GET", path, token: token)
            #expect(refused.status == 400 && refused.errorCode == "invalid_query", "\(query): \(refused.body)")
        }

        let loosened = try create(#"{"module":"web","version":"2.0.0","environment":"staging","gate":{"onFailure":"recordOnly"},"#
                                  + #""strategy":"direct","installConcurrency":512}"#)
        let loosenedID = try #require(loosened.json["id"] as? String, "\(loosened.body)")
        let approvals = try coordinator.request("GET", "/api/v1/approvals", token: token)
        let pending = (approvals.json["approvals"] as? [[String: Any]] ?? []).first { $0["id"] as? String == loosenedID } ?? [:]
        let overrides = pending["overrides"] as? [[String: Any]] ?? []
        #expect(overrides.map { $0["field"] as? String } == ["strategy", "gate.onFailure", "installConcurrency"], "\(approvals.body)")
        let values = overrides.map { "\($0["deployment"] ?? "")/\($0["environment"] ?? "")" }
        #expect(values == ["direct/canary", "recordOnly/rollback", "512/16"], "\(values)")
        let listed = try hotswap(["approvals", "list"])
        for line in ["  overrides gate.onFailure: recordOnly (the environment's: rollback)", "strategy: direct (the environment's: canary)",
                     "installConcurrency: 512 (the environment's: 16)"] {
            #expect(listed.standardOutput.contains(line), "\(listed.combined)")
        }
    }

    /// A request's gate is read over its environment's policy, not the defaults: a minimum wait of
    /// an hour is refused by the defaults' 30-minute maximum and taken under a policy of two hours.
    @Test func aRequestsGateIsCheckedOverItsEnvironmentsPolicy() throws {
        defer { agents.forEach { $0.close() } }
        let policy = #"{"gate": {"maximumWaitMilliseconds": 7200000}}"#
        #expect(try coordinator.request("PUT", "/api/v1/environments/development/rollout-policy", body: policy, token: token).status == 200)
        let body = #"{"module":"web","version":"2.0.0","environment":"development","gate":{"minimumWaitMilliseconds":3600000}}"#
        let created = try create(body)
        #expect(created.status == 202, "\(created.body)")
    }

    @Test func theCommandLineDeploysShowsExplainsControlsAndDecides() throws {
        defer { agents.forEach { $0.close() } }
        // qa has no node (422), but this waits out the cluster version's raise to 10 as `create` does.
        _ = try create(#"{"module":"web","version":"2.0.0","environment":"qa"}"#)
        let started = try hotswap(["deploy", "web", "2.0.0", "--env", "staging", "--strategy", "direct"])
        #expect(started.status == 0 && started.standardOutput.contains(": awaiting_approval"), "\(started.combined)")
        let id = String(started.standardOutput.prefix { $0 != ":" })
        let again = try hotswap(["deploy", "web", "2.0.0", "--env", "staging"])
        #expect(again.status == 1 && again.combined.contains(id), "the refusal names the running one: \(again.combined)")
        let pending = try hotswap(["approvals", "list"])
        #expect(pending.status == 0 && pending.standardOutput.contains("\(id)  web 2.0.0 → staging (direct)"), "\(pending.combined)")
        #expect(try hotswap(["approvals", "reject", id]).status == 2, "a rejection needs --reason")
        let rejected = try hotswap(["approvals", "reject", id, "--reason", "freeze"])
        #expect(rejected.status == 0 && rejected.standardOutput.contains("aborted"), "\(rejected.combined)")
        let shown = try hotswap(["deployment", "show", id])
        #expect(shown.status == 0 && shown.standardOutput.contains("approval: rejected by \(TestCredentials.adminName): freeze"),
                "\(shown.combined)")
        #expect(shown.standardOutput.contains("  node-3: pending (from 1.0.0)"), "\(shown.combined)")
        let explained = try hotswap(["deployment", "explain", id])
        #expect(explained.status == 0 && explained.standardOutput.contains("wave 0: pending, 0 gate decisions"), "\(explained.combined)")
        let watched = try hotswap(["deployment", "watch", id])
        #expect(watched.status == 1 && watched.standardOutput.contains("\(id): aborted"), "an aborted deployment: \(watched.combined)")

        let running = try hotswap(["deploy", "web", "2.0.0", "--env", "development", "--on-failure", "pause", "--install-concurrency", "1",
                                   "-o", "json"])
        let runningID = try #require(APIResponse.jsonObject(running.standardOutput)["id"] as? String, "\(running.combined)")
        let shownJSON = try hotswap(["deployment", "show", runningID, "-o", "json"])
        let settings = APIResponse.jsonObject(shownJSON.standardOutput)["settings"] as? [String: Any] ?? [:]
        #expect(settings["installConcurrency"] as? Int == 1, "\(shownJSON.combined)")
        #expect((settings["gate"] as? [String: Any])?["onFailure"] as? String == "pause", "\(shownJSON.combined)")
        let paused = try hotswap(["deployment", "pause", runningID, "--reason", "lunch"])
        #expect(paused.status == 0 && paused.standardOutput.contains("paused"), "\(paused.combined)")
        let twice = try hotswap(["deployment", "pause", runningID])
        #expect(twice.status == 1 && twice.combined.contains("cannot pause"), "\(twice.combined)")
        let aborted = try hotswap(["deployment", "abort", runningID])
        #expect(aborted.status == 0 && aborted.standardOutput.contains("aborted"), "\(aborted.combined)")
        let listed = try hotswap(["deployment", "list", "--env", "development", "--state", "aborted"])
        #expect(listed.status == 0 && listed.standardOutput.contains(runningID), "\(listed.combined)")
        #expect(try hotswap(["deployment", "show", "NOT-AN-ID"]).status == 2)
    }

    @Test func deployWatchPrintsEachChangeUntilTheEndAndExitsOneWhenRejected() throws {
        defer { agents.forEach { $0.close() } }
        // qa has no node (422), but this waits out the cluster version's raise to 10 as `create` does.
        _ = try create(#"{"module":"web","version":"2.0.0","environment":"qa"}"#)
        let environment = try coordinator.adminCommandLineEnvironment(["HOTSWAP_ADDR": coordinator.apiURL, "HOTSWAP_CA": certificates.ca])
        let watch = try Subprocess([HotSwapBinary.path, "deploy", "web", "2.0.0", "--env", "staging", "--watch"], environment: environment)
        var id: String?
        let pending = eventually {
            let approvals = (try? coordinator.request("GET", "/api/v1/approvals", token: token))?.json["approvals"] as? [[String: Any]]
            id = approvals?.first?["id"] as? String
            return id != nil
        }
        #expect(pending, "the deployment never awaited approval")
        let awaited = try #require(id)
        let rejected = try coordinator.request("POST", "/api/v1/approvals/\(awaited)/reject", body: #"{"reason":"freeze"}"#, token: token)
        #expect(rejected.status == 200, "\(rejected.body)")
        let status = watch.waitUntilExit(timeout: .seconds(30))
        if status == nil { watch.kill() }
        let output = watch.standardOutput?.finish() ?? ""
        #expect(status == 1, "a rejected deployment ends the watch with 1: \(output)")
        #expect(output.contains("\(awaited): awaiting_approval") && output.contains("\(awaited): aborted (rejected by"), "\(output)")
    }

    /// A watch that cannot watch ends at once with 5, never 1 (the deployment's failure) nor a
    /// 10-minute retry: an unknown id (404), a CA that did not issue the coordinator's certificate,
    /// and no coordinator at all within --timeout.
    @Test func aWatchThatCannotWatchEndsWithFive() throws {
        defer { agents.forEach { $0.close() } }
        let unknown = try hotswap(["deployment", "watch", "d-000000000000"])
        #expect(unknown.status == 5 && unknown.standardError.contains("d-000000000000"), "\(unknown.combined)")
        let wrongCA = try hotswap(["deployment", "watch", "d-000000000000", "--ca", certificates.certificate("node-1")])
        #expect(wrongCA.status == 5 && wrongCA.standardError.contains("certificate"), "\(wrongCA.combined)")
        let nobody = try hotswap(["deployment", "watch", "d-000000000000", "--addr", "https://127.0.0.1:1", "--timeout", "1s"])
        #expect(nobody.status == 5, "\(nobody.combined)")
    }

    func hotswap(_ arguments: [String]) throws -> ExternalCommand.Output {
        try EnvironmentCommandTests.hotswap(arguments, on: coordinator, ca: certificates.ca)
    }
}
