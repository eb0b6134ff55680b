import Foundation
import Testing
import TestSupport

/// Password checks cannot outrun the lockout (Docs/ACCESS.md, "Lockout"): guesses sent in
/// parallel are checked no more often than the failures left before the lock, a wrong
/// `currentPassword` counts as a failed login and is refused while locked, a coordinator
/// that cannot reach a quorum (so could not count a failure) checks no password at all, and one
/// whose writes fail answers a right password exactly as a wrong one (503, nothing is issued).
@Suite(.serialized)
final class LoginLockoutTests {
    let certificates: CertificateFixture

    init() throws {
        certificates = try CertificateFixture()
    }

    @Test func parallelGuessesAreCheckedAtMostFiveTimesBeforeTheLock() throws {
        let (coordinator, _) = try coordinatorWithViewer("gus", password: "Guessed-pass-71")
        let hashesBefore = try Self.hashes(coordinator)
        let guesses = 8
        let (url, ca) = ("\(coordinator.apiURL)/api/v1/auth/login", coordinator.caPath)
        let answers = ParallelMap.map(count: guesses, workers: guesses) { index in
            Self.errorCode(of: ["curl", "-sS", "--max-time", "20", "--cacert", ca, "-H", "Content-Type: application/json",
                                "--data-binary", #"{"username":"gus","password":"Wrong-guess-\#(index)00"}"#, url])
        }
        let codes = answers
        #expect(codes.filter { $0 == "invalid_credentials" }.count == 4, "\(answers)")
        #expect(codes.contains("account_locked"), "\(answers)")
        #expect(codes.allSatisfy { ["invalid_credentials", "account_locked", "rate_limited"].contains($0) }, "\(answers)")
        #expect(try Self.hashes(coordinator) - hashesBefore == 5, "\(answers)")
        let right = try coordinator.login("gus", "Guessed-pass-71")
        #expect(right.status == 401)
        #expect(right.errorCode == "account_locked", "\(right.body)")
        #expect(right.json["token"] == nil)
        #expect(try Self.hashes(coordinator) - hashesBefore == 5)
    }

    @Test func aWrongCurrentPasswordCountsAsAFailedLogin() throws {
        let (coordinator, admin) = try coordinatorWithViewer("pat", password: "Changing-pass-8")
        let token = try #require(try coordinator.login("pat", "Changing-pass-8").json["token"] as? String)
        let change: (String) throws -> APIResponse = { current in
            try coordinator.request("POST", "/api/v1/users/pat/password",
                                    body: #"{"password":"Changed-pass-99","currentPassword":"\#(current)"}"#, token: token)
        }
        for attempt in 1...4 {
            #expect(try change("Wrong-current-\(attempt)").errorCode == "invalid_credentials")
        }
        let fifth = try change("Wrong-current-5")
        #expect(fifth.status == 401)
        #expect(fifth.errorCode == "account_locked", "\(fifth.body)")
        let rightWhileLocked = try change("Changing-pass-8")
        #expect(rightWhileLocked.errorCode == "account_locked", "\(rightWhileLocked.body)")
        #expect(Int(rightWhileLocked.headers["retry-after"] ?? "") ?? 0 >= 1)
        #expect(rightWhileLocked.headers["www-authenticate"] == #"Bearer realm="hotswap""#)
        #expect(try coordinator.login("pat", "Changing-pass-8").errorCode == "account_locked")
        #expect(try coordinator.request("POST", "/api/v1/users/pat/unlock", token: admin).status == 200)
        #expect(try change("Changing-pass-8").status == 200)
    }

    @Test func aCoordinatorWithoutAQuorumChecksNoPassword() throws {
        let cluster = try ClusterFixture()
        let survivor = try #require(cluster.agreedLeader())
        for name in cluster.names where name != survivor { cluster.kill(name) }
        let member = try #require(cluster.processes[survivor])
        var answer: APIResponse?
        // The leader's lease may still pass the barrier for an election timeout (a password is
        // then hashed and answered `not_recorded`); after it the barrier refuses.
        let refused = eventually(timeout: .seconds(30), every: .seconds(1)) {
            answer = try? member.request("POST", "/api/v1/auth/login",
                                         body: #"{"username":"admin","password":"\#(TestCredentials.adminPassword)"}"#)
            return answer?.status == 503 && answer?.errorCode != "not_recorded"
        }
        #expect(refused, "\(answer?.body ?? "")")
        #expect(answer?.json["token"] == nil)
        #expect(answer?.headers["retry-after"] != nil)
        let hashesBefore = try Self.hashes(member)
        var wrong: APIResponse?
        let wrongRefused = eventually(timeout: .seconds(30), every: .seconds(1)) {
            wrong = try? member.request("POST", "/api/v1/auth/login", body: #"{"username":"admin","password":"Not-the-password-1"}"#)
            return wrong?.status != 429
        }
        #expect(wrongRefused)
        #expect(wrong?.status == 503, "\(wrong?.body ?? "")")
        #expect(try Self.hashes(member) == hashesBefore, "a password was checked without a quorum")
    }

    @Test func withoutWorkingWritesARightPasswordIsAnsweredAsAWrongOne() throws {
        // An election timeout of 8 s: the leader's lease (and so the read barrier) outlives the
        // followers by seconds, long past the 5 s a write waits to commit.
        let cluster = try ClusterFixture(coordinatorArguments: ["--raft-tick", "50ms", "--election-timeout-ticks", "160"])
        let leaderName = try #require(cluster.agreedLeader(timeout: .seconds(40)))
        let leader = try #require(cluster.processes[leaderName])
        let added = try leader.request("POST", "/api/v1/users", body: #"{"name":"pat","role":"viewer","password":"Changing-pass-8"}"#,
                                       token: cluster.token)
        #expect(added.status == 201, "\(added.body)")
        let pat = try #require(try leader.login("pat", "Changing-pass-8").json["token"] as? String)
        for name in cluster.names where name != leaderName { cluster.kill(name) }
        let attempts: [(String, String, String?)] = [
            ("/api/v1/auth/login", #"{"username":"admin","password":"\#(TestCredentials.adminPassword)"}"#, nil),
            ("/api/v1/auth/login", #"{"username":"admin","password":"Not-the-password-1"}"#, nil),
            ("/api/v1/users/pat/password", #"{"password":"Changed-pass-99","currentPassword":"Changing-pass-8"}"#, pat),
            ("/api/v1/users/pat/password", #"{"password":"Changed-pass-99","currentPassword":"Wrong-current-1"}"#, pat),
        ]
        // All at once, while the lease lasts, each from an address of its own (the login bucket
        // is per address, and the fixture's logins emptied 127.0.0.1's); each waits up to 5 s
        // for its write.
        let curls = try attempts.enumerated().map { index, attempt in
            let (path, body, token) = attempt
            return try Subprocess(["curl", "-sS", "-D", "-", "--max-time", "20", "--interface", "127.0.0.\(11 + index)",
                                   "--cacert", leader.caPath, "-H", "Content-Type: application/json", "--data-binary", body]
                                  + (token.map(TestCredentials.bearer) ?? []) + [leader.apiURL + path])
        }
        let answers = curls.map { curl in
            curl.waitUntilExit()
            return APIResponse.parse(curl.standardOutput?.finish() ?? "")
        }
        // Decided by what no answer may be, whenever it came: a token, or anything but a 503 (a 401
        // for the wrong password against a 503 for the right one would tell them apart). A check
        // whose read barrier came after the lease (a busy machine) answers no_leader or
        // read_timeout; one that got in answers not_recorded, and at least one must have.
        let codes = answers.map { answer in answer.errorCode ?? answer.body }
        for (answer, code) in zip(answers, codes) {
            #expect(["not_recorded", "no_leader", "read_timeout"].contains(code), "\(answer.body)")
            #expect(!answer.body.contains("token"), "\(answer.body)")
        }
        #expect(codes.contains("not_recorded"), "no password was checked while the lease lasted: \(answers.map(\.body))")
    }

    /// A coordinator with the viewer `name` added, and the first admin's token.
    private func coordinatorWithViewer(_ name: String, password: String) throws -> (CoordinatorProcess, String) {
        let coordinator = try CoordinatorProcess(tlsDirectory: certificates.tlsDirectory)
        let admin = try coordinator.adminToken()
        let body = #"{"name":"\#(name)","role":"viewer","password":"\#(password)"}"#
        let added = try coordinator.request("POST", "/api/v1/users", body: body, token: admin)
        #expect(added.status == 201, "\(added.body)")
        return (coordinator, admin)
    }

    /// The error code of the answer curl prints for `arguments`, or why there is none.
    private static func errorCode(of arguments: [String]) -> String {
        do {
            let output = try ExternalCommand.run(arguments)
            let json = try JSONSerialization.jsonObject(with: Data(output.standardOutput.utf8)) as? [String: Any]
            return (json?["error"] as? [String: Any])?["code"] as? String ?? output.combined
        } catch {
            return "\(error)"
        }
    }

    /// `hotswap_password_hashes_total` of the coordinator's `/metrics`.
    private static func hashes(_ coordinator: CoordinatorProcess) throws -> Int {
        let metrics = try coordinator.request("GET", "/metrics").body
        let line = metrics.split(separator: "\n").first { $0.hasPrefix("hotswap_password_hashes_total ") }
        return try #require(line.flatMap { Int(Double($0.split(separator: " ").last ?? "") ?? -1) })
    }
}
