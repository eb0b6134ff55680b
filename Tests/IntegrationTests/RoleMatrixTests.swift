import Access
import Foundation
import Primitives
import Testing
import TestSupport

/// The role table end to end (Docs/ACCESS.md): on a real three-coordinator cluster, every row
/// of `Permissions.rules` is requested with no token and as a viewer, a deployer and an admin
/// (users made through the API), through a follower and through the leader. No token on a
/// protected route is 401, a role below the row's is 403, and a caller the row admits gets the
/// route's own answer. Destructive rows act on throwaway names, so the cluster survives the walk.
/// (`PermissionsTests` holds every route the coordinator registers against the table.)
@Suite(.serialized)
struct RoleMatrixTests {
    /// A caller of the walk: no token, or a user's token with the user's role.
    struct Caller {
        let label: String
        let user: (name: String, role: UserRole)?
        let token: String?
    }

    /// The request for one row: its path parameters filled (a real value or a harmless one),
    /// its body, and the answer a caller the row admits gets (`ownStatus`: the user the path names).
    struct Sample {
        var parameters: [String: String] = [:]
        var body: String?
        let status: Int
        var ownStatus: Int?
        /// The answer is a stream that never ends: only its head (or a refusal) is read.
        var isStream = false
    }

    static let users: [(name: String, role: UserRole, password: String)] = [
        ("viewer1", .viewer, "Viewer-matrix-81"), ("deployer1", .deployer, "Deployer-matrix-82"),
    ]

    /// Each row's sample, by `METHOD PATTERN`; `via` ("follower", "leader") keeps the names a
    /// request creates or removes apart between the two passes.
    static func samples(via: String) -> [String: Sample] {
        let login = #"{"username":"\#(TestCredentials.adminName)","password":"\#(TestCredentials.adminPassword)"}"#
        return [
            "GET /healthz": Sample(status: 200),
            "GET /readyz": Sample(status: 200),
            "GET /metrics": Sample(status: 200),
            "POST /api/v1/auth/login": Sample(body: login, status: 200),
            "GET /api/v1/auth/me": Sample(status: 200),
            // Keeps the old key verifying for an hour: every token of the walk stays good.
            "POST /api/v1/auth/rotate-key": Sample(body: #"{"overlapSeconds":3600}"#, status: 200),
            "GET /api/v1/users": Sample(status: 200),
            "POST /api/v1/users": Sample(body: #"{"name":"tmp-\#(via)","role":"viewer","password":"Matrix-pass-731"}"#, status: 201),
            "DELETE /api/v1/users/{name}": Sample(parameters: ["name": "tmp-\(via)"], status: 200),
            // A password the policy refuses (admin), or one's own without the current one: nothing changes.
            "POST /api/v1/users/{name}/password": Sample(parameters: ["name": "deployer1"], body: #"{"password":"x"}"#,
                                                         status: 422, ownStatus: 400),
            "POST /api/v1/users/{name}/unlock": Sample(parameters: ["name": "viewer1"], status: 200),
            "GET /api/v1/cluster": Sample(status: 200),
            "POST /api/v1/cluster/transfer-leader": Sample(body: #"{"to":"nobody"}"#, status: 404),
            "POST /api/v1/cluster/members": Sample(body: #"{"name":"c1","peerAddress":"127.0.0.1:1"}"#, status: 409),
            "DELETE /api/v1/cluster/members/{name}": Sample(parameters: ["name": "nobody"], status: 404),
            "GET /api/v1/environments": Sample(status: 200),
            "GET /api/v1/environments/{name}": Sample(parameters: ["name": "production"], status: 200),
            "PUT /api/v1/environments/{name}": Sample(parameters: ["name": "matrix-\(via)"],
                                                      body: #"{"defaultStrategy":"canary","requiresApproval":false}"#, status: 201),
            "DELETE /api/v1/environments/{name}": Sample(parameters: ["name": "matrix-\(via)"], status: 200),
            "GET /api/v1/environments/{name}/module-signing-keys": Sample(parameters: ["name": "qa"], status: 200),
            // An empty list: the environment keeps asking for no signature.
            "PUT /api/v1/environments/{name}/module-signing-keys": Sample(parameters: ["name": "qa"], body: #"{"keys":[]}"#,
                                                                          status: 200),
            "GET /api/v1/environments/{name}/rollout-policy": Sample(parameters: ["name": "qa"], status: 200),
            // The defaults set explicitly, then dropped again: qa's deployments act alike either way.
            "PUT /api/v1/environments/{name}/rollout-policy": Sample(parameters: ["name": "qa"], body: "{}", status: 200),
            "DELETE /api/v1/environments/{name}/rollout-policy": Sample(parameters: ["name": "qa"], status: 200),
            "GET /api/v1/environments/{name}/approval-webhook": Sample(parameters: ["name": "qa"], status: 200),
            // Refused before anything is proposed (the cluster may still be raising its version to 11).
            "PUT /api/v1/environments/{name}/approval-webhook": Sample(parameters: ["name": "qa"], body: "{}", status: 400),
            "DELETE /api/v1/environments/{name}/approval-webhook": Sample(parameters: ["name": "Not_A_Name"], status: 404),
            "POST /api/v1/join-tokens": Sample(body: "{}", status: 400),
            "GET /api/v1/join-tokens": Sample(status: 200),
            "DELETE /api/v1/join-tokens/{id}": Sample(parameters: ["id": "Not-An-Id"], status: 404),
            "GET /api/v1/nodes": Sample(status: 200),
            "GET /api/v1/nodes/revocations": Sample(status: 200),
            // Revoked before the walk.
            "DELETE /api/v1/nodes/revocations/{id}": Sample(parameters: ["id": "lift-\(via)"], status: 200),
            "GET /api/v1/nodes/{id}": Sample(parameters: ["id": "ghost"], status: 404),
            "DELETE /api/v1/nodes/{id}": Sample(parameters: ["id": "ghost"], status: 404),
            "POST /api/v1/nodes/{id}/revoke": Sample(parameters: ["id": "revoke-\(via)"], status: 200),
            "GET /api/v1/nodes/{id}/metrics": Sample(parameters: ["id": "ghost"], status: 404),
            // Only the acting leader holds module orders: a follower names it (503).
            "GET /api/v1/nodes/{id}/modules": Sample(parameters: ["id": "ghost"], status: via == "follower" ? 503 : 404),
            "POST /api/v1/nodes/{id}/modules/{module}": Sample(parameters: ["id": "ghost", "module": "web"],
                                                               body: #"{"version":"1.0.0"}"#, status: via == "follower" ? 503 : 404),
            "GET /api/v1/modules": Sample(status: 200),
            "GET /api/v1/modules/{name}": Sample(parameters: ["name": "ghost"], status: 404),
            // Not an artifact: the leader reads it and refuses it; a follower takes no upload.
            "PUT /api/v1/modules/{name}/{version}": Sample(parameters: ["name": "matrix", "version": "1"], body: "not a module",
                                                           status: via == "follower" ? 503 : 422),
            "DELETE /api/v1/modules/{name}/{version}": Sample(parameters: ["name": "ghost", "version": "1"], status: 404),
            "GET /api/v1/audit": Sample(status: 200),
            "GET /api/v1/debug/logs": Sample(status: 200),
            "GET /api/v1/debug/configuration": Sample(status: 200),
            "GET /api/v1/events": Sample(status: 200, isStream: true),
            "GET /api/v1/snapshot": Sample(status: 200),
        ].merging(deploymentSamples) { first, _ in first }
    }

    static let deploymentSamples: [String: Sample] = [
        // Bodies refused before anything is read or proposed (400): the cluster may still be raising its
        // version to 10, which a proposal would meet (503).
        "POST /api/v1/deployments": Sample(body: "{}", status: 400),
        "GET /api/v1/deployments": Sample(status: 200),
        "GET /api/v1/deployments/{id}": Sample(parameters: ["id": "d-000000000000"], status: 404),
        "GET /api/v1/deployments/{id}/waves/{n}": Sample(parameters: ["id": "d-000000000000", "n": "0"], status: 404),
        "GET /api/v1/deployments/{id}/waves/{n}/nodes": Sample(parameters: ["id": "d-000000000000", "n": "0"], status: 404),
        "POST /api/v1/deployments/{id}/pause": Sample(parameters: ["id": "d-000000000000"], body: #"{"why":1}"#, status: 400),
        "POST /api/v1/deployments/{id}/resume": Sample(parameters: ["id": "d-000000000000"], body: #"{"why":1}"#, status: 400),
        "POST /api/v1/deployments/{id}/abort": Sample(parameters: ["id": "d-000000000000"], body: #"{"why":1}"#, status: 400),
        "POST /api/v1/deployments/{id}/rollback": Sample(parameters: ["id": "d-000000000000"], body: #"{"why":1}"#, status: 400),
        "POST /api/v1/deployments/{id}/promote": Sample(parameters: ["id": "d-000000000000"], body: #"{"why":1}"#, status: 400),
        "GET /api/v1/approvals": Sample(status: 200),
        "POST /api/v1/approvals/{id}/approve": Sample(parameters: ["id": "d-000000000000"], body: #"{"why":1}"#, status: 400),
        "POST /api/v1/approvals/{id}/reject": Sample(parameters: ["id": "d-000000000000"], status: 400),
    ]

    @Test func everyRowOfThePermissionTableAnswersEachCallerAsTheTableSays() throws {
        let cluster = try ClusterFixture()
        let leader = try #require(cluster.agreedLeader())
        let follower = try #require(cluster.names.first { $0 != leader })
        let leaderProcess = try #require(cluster.processes[leader])
        let callers = try Self.callers(cluster, via: leaderProcess)
        for via in ["follower", "leader"] {
            let revoked = try leaderProcess.request("POST", "/api/v1/nodes/lift-\(via)/revoke", token: cluster.token)
            #expect(revoked.status == 200, "\(revoked.body)")
        }

        var checked = 0
        for (via, name) in [("follower", follower), ("leader", leader)] {
            let process = try #require(cluster.processes[name])
            let samples = Self.samples(via: via)
            for rule in Permissions.rules {
                let route = "\(rule.method) \(rule.pattern)"
                guard let sample = samples[route] else {
                    Issue.record("no sample request for \(route): add one to RoleMatrixTests.samples")
                    continue
                }
                for caller in callers {
                    let answer = try Self.send(rule, sample, as: caller, to: process)
                    let expected = Self.expectedStatus(rule, sample, for: caller)
                    #expect(answer.status == expected, "\(route) as \(caller.label) through the \(via) \(name): \(answer.body)")
                    if expected == 401 { #expect(answer.errorCode == "authentication_required", "\(route): \(answer.body)") }
                    if expected == 403 { #expect(answer.errorCode == "forbidden", "\(route) as \(caller.label): \(answer.body)") }
                    checked += 1
                }
            }
        }
        #expect(checked == Permissions.rules.count * callers.count * 2)

        // The cluster survived the walk and is as it was, but for the signing keys and revocations.
        #expect(cluster.agreedLeader() != nil && cluster.live.count == 3)
        #expect(cluster.putAcknowledged("after-matrix"))
        let users = try leaderProcess.request("GET", "/api/v1/users", token: cluster.token).json["users"] as? [[String: Any]]
        #expect(users?.compactMap { $0["name"] as? String } == ["admin", "deployer1", "viewer1"])
        #expect(!cluster.environmentNames(on: leader).contains { $0.hasPrefix("matrix-") })
    }

    /// No token, then a viewer's, a deployer's and an admin's; the two users are added through
    /// `process`, and their tokens are good on every member before the walk.
    static func callers(_ cluster: ClusterFixture, via process: CoordinatorProcess) throws -> [Caller] {
        var callers = [Caller(label: "no token", user: nil, token: nil)]
        for user in users {
            let body = #"{"name":"\#(user.name)","role":"\#(user.role.rawValue)","password":"\#(user.password)"}"#
            let added = try process.request("POST", "/api/v1/users", body: body, token: cluster.token)
            try #require(added.status == 201, "\(added.body)")
            let token = try #require(try process.login(user.name, user.password).json["token"] as? String)
            callers.append(Caller(label: user.role.rawValue, user: (user.name, user.role), token: token))
        }
        callers.append(Caller(label: "admin", user: (TestCredentials.adminName, .admin), token: cluster.token))
        // A member knows a new user once it applied the entry.
        let accepted = eventually {
            cluster.live.allSatisfy { name in
                callers.compactMap(\.token).allSatisfy { token in
                    (try? cluster.processes[name]?.request("GET", "/api/v1/auth/me", token: token))?.status == 200
                }
            }
        }
        try #require(accepted, "not every member accepts the tokens of the walk")
        return callers
    }

    /// What the table says `caller` gets: 401 without a token on a protected row, 403 below the
    /// row's role, else the sample's answer. Written out here rather than asking
    /// `Permissions.decide`, so the walk does not trust the code it checks.
    static func expectedStatus(_ rule: PermissionRule, _ sample: Sample, for caller: Caller) -> Int {
        let isOwn: Bool
        let needed: UserRole
        switch rule.requirement {
        case .open:
            return sample.status
        case let .role(role):
            (isOwn, needed) = (false, role)
        case let .selfOrRole(parameter, role):
            (isOwn, needed) = (caller.user != nil && caller.user?.name == sample.parameters[parameter], role)
        }
        guard let user = caller.user else { return 401 }
        if isOwn { return sample.ownStatus ?? sample.status }
        return user.role >= needed ? sample.status : 403
    }

    /// 503 codes that say the request was not carried out (no leader to take it, or a read that
    /// did not finish): a leader change under a loaded machine is not what the walk checks.
    static let retriedUnavailableCodes: Set<String> = ["no_leader", "forwarding_busy", "read_timeout"]

    /// The row's request with its parameters filled, sent as `caller`; sent again (bounded)
    /// while a rate limit answers 429 or the cluster answers that it did not carry it out.
    static func send(_ rule: PermissionRule, _ sample: Sample, as caller: Caller,
                     to process: CoordinatorProcess) throws -> APIResponse {
        let path = sample.parameters.reduce(rule.pattern) { path, parameter in
            path.replacingOccurrences(of: "{\(parameter.key)}", with: parameter.value)
        }
        let ask = { () throws -> APIResponse in
            sample.isStream ? try streamHead(as: caller, to: process)
                : try process.request(rule.method, path, body: sample.body, token: caller.token)
        }
        var answer = try ask()
        _ = eventually(timeout: .seconds(30), every: .milliseconds(250)) {
            guard isRetried(answer) else { return true }
            answer = (try? ask()) ?? answer
            return !isRetried(answer)
        }
        return answer
    }

    static func isRetried(_ answer: APIResponse) -> Bool {
        answer.status == 429 || (answer.status == 503 && answer.errorCode.map(retriedUnavailableCodes.contains) == true)
    }

    /// `GET /api/v1/events` as `caller`: the head of the stream, or a refusal whole.
    static func streamHead(as caller: Caller, to process: CoordinatorProcess) throws -> APIResponse {
        let stream = try EventStreamClient(process, token: caller.token)
        defer { stream.close() }
        let answered = stream.waitUntil { opened in stream.status == 200 ? !opened.isEmpty : !stream.process.isRunning }
        try #require(answered, "GET /api/v1/events as \(caller.label): no head, or no opening, in time: \(stream.body)")
        return stream.response
    }
}
