import Foundation
import Testing
import TestSupport

/// Password checks cannot outrun the lockout (Docs/ACCESS.md, "Lockout"): guesses sent in
/// parallel are checked no more often than the failures left before the lock, a wrong
/// `currentPassword` counts as a failed login and is refused while locked, and a coordinator
/// that cannot reach a quorum (so could not count a failure) checks no password at all.
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
        // The leader's lease may still answer for an election timeout; then it has no quorum.
        let refused = eventually(timeout: .seconds(30), every: .seconds(1)) {
            answer = try? member.request("POST", "/api/v1/auth/login",
                                         body: #"{"username":"admin","password":"\#(TestCredentials.adminPassword)"}"#)
            return answer?.status == 503
        }
        #expect(refused, "\(answer?.body ?? "")")
        #expect(answer?.json["token"] == nil)
        #expect(answer?.headers["retry-after"] != nil)
        var wrong: APIResponse?
        let wrongRefused = eventually(timeout: .seconds(30), every: .seconds(1)) {
            wrong = try? member.request("POST", "/api/v1/auth/login", body: #"{"username":"admin","password":"Not-the-password-1"}"#)
            return wrong?.status != 429
        }
        #expect(wrongRefused)
        #expect(wrong?.status == 503, "\(wrong?.body ?? "")")
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
