import Foundation
import Testing
import TestSupport

/// The API's access shell on a real coordinator, with curl (Docs/ACCESS.md): the first admin
/// bootstrapped from the founding password, tokens refused for every reason a client can
/// cause, roles, users and passwords, lockout, key rotation and the per-address rate limit.
@Suite(.serialized)
final class APIAccessTests {
    let certificates: CertificateFixture

    init() throws {
        certificates = try CertificateFixture()
    }

    private func coordinator(_ extraArguments: [String] = []) throws -> CoordinatorProcess {
        try CoordinatorProcess(tlsDirectory: certificates.tlsDirectory, extraArguments: extraArguments)
    }

    @Test func aProtectedRouteNeedsATokenAndTheFirstAdminLogsIn() throws {
        let coordinator = try coordinator()
        let token = try coordinator.adminToken()
        let anonymous = try coordinator.request("GET", "/api/v1/environments")
        #expect(anonymous.status == 401)
        #expect(anonymous.errorCode == "authentication_required")
        #expect(anonymous.headers["www-authenticate"]?.hasPrefix("Bearer") == true)
        #expect(anonymous.headers["strict-transport-security"] == "max-age=31536000")
        let login = try coordinator.login(TestCredentials.adminName, TestCredentials.adminPassword)
        #expect(login.status == 200)
        #expect(login.json["user"] as? String == "admin")
        #expect(login.json["role"] as? String == "admin")
        #expect((login.json["expiresAt"] as? String)?.hasSuffix("Z") == true)
        let me = try coordinator.request("GET", "/api/v1/auth/me", token: token)
        #expect(me.status == 200, "\(me.body)")
        #expect(me.json["user"] as? String == "admin")
        #expect(me.json["role"] as? String == "admin")
        #expect(try coordinator.request("GET", "/api/v1/environments", token: token).status == 200)
        let lowercaseScheme = try coordinator.request("GET", "/api/v1/auth/me", extra: ["-H", "Authorization: bearer \(token)"])
        #expect(lowercaseScheme.status == 200)
        let basic = try coordinator.request("GET", "/api/v1/auth/me", extra: ["-H", "Authorization: Basic YWRtaW46eA=="])
        #expect(basic.errorCode == "authentication_required")
        let twice = try coordinator.request("GET", "/api/v1/auth/me", token: token, extra: TestCredentials.bearer(token))
        #expect(twice.status == 401)
        #expect(twice.errorCode == "authentication_required")
        let wrong = try coordinator.login(TestCredentials.adminName, "not-the-password-at-all")
        #expect(wrong.status == 401)
        #expect(wrong.errorCode == "invalid_credentials")
        #expect(wrong.headers["www-authenticate"] == #"Bearer realm="hotswap""#)
        // Refused on its head: no `100 Continue` comes first, so curl never sends the body, and
        // the connection closes after the answer.
        let unread = try Self.expectingContinue("PUT", "\(coordinator.apiURL)/api/v1/environments/x", bytes: 60_000,
                                                ca: coordinator.caPath)
        #expect(unread.status == 401, "\(unread.trace)")
        #expect(!unread.continued, "\(unread.trace)")
        #expect(unread.uploadedBytes == 0, "\(unread.trace)")
        #expect(unread.closes, "\(unread.trace)")
        let admitted = try Self.expectingContinue("PUT", "\(coordinator.apiURL)/api/v1/environments/x", bytes: 60_000,
                                                  ca: coordinator.caPath, extra: TestCredentials.bearer(token))
        #expect(admitted.continued && admitted.uploadedBytes == 60_000, "\(admitted.trace)")
        let head = try coordinator.request("HEAD", "/api/v1/environments", extra: ["-I"])
        #expect(head.status == 401, "\(head.body)")
        #expect(head.headers["www-authenticate"]?.hasPrefix("Bearer") == true)
        let nobody = try coordinator.login("nobody", TestCredentials.adminPassword)
        #expect(nobody.errorCode == "invalid_credentials")
        let unknownField = try coordinator.request("POST", "/api/v1/auth/login", body: #"{"username":"admin","pasword":"x"}"#)
        #expect(unknownField.status == 400)
        #expect(unknownField.body.contains("'pasword' (did you mean 'password'?)"), "\(unknownField.body)")
    }

    @Test func everyBadTokenIsRefusedWithItsReason() throws {
        let coordinator = try coordinator()
        let token = try coordinator.adminToken()
        let parts = token.split(separator: ".").map(String.init)
        try #require(parts.count == 3)
        let header = try #require(Self.decodedJSON(parts[0]))
        let kid = try #require(header["kid"] as? String)
        let claims = parts[1]
        // The same fields, spelled with a space: other bytes under the same signature.
        let forged = Self.base64URL(Data(#"{"alg":"HS256", "typ":"JWT","kid":"\#(kid)"}"#.utf8))
        let cases: [(String, String)] = [
            ("not-a-token", "malformed_token"),
            (parts[0] + "." + claims + ".!!", "malformed_token"),
            (Self.base64URL(Data(#"{"alg":"none","typ":"JWT"}"#.utf8)) + "." + claims + ".", "unsupported_algorithm"),
            (Self.base64URL(Data(#"{"alg":"HS512","typ":"JWT","kid":"\#(kid)"}"#.utf8)) + "." + claims + "." + parts[2],
             "unsupported_algorithm"),
            (Self.base64URL(Data(#"{"alg":"HS256","typ":"JWT","kid":"00000000000000ff"}"#.utf8)) + "." + claims + "." + parts[2],
             "unknown_key"),
            (forged + "." + claims + "." + parts[2], "bad_signature"),
            (parts[0] + "." + Self.base64URL(Data(#"{"sub":"admin","role":"admin"}"#.utf8)) + "." + parts[2], "bad_signature"),
            (parts[0] + "." + claims + "." + Self.base64URL(Data(repeating: 7, count: 32)), "bad_signature"),
        ]
        for (bad, code) in cases {
            let answer = try coordinator.request("GET", "/api/v1/auth/me", token: bad)
            #expect(answer.status == 401, "\(code): \(answer.body)")
            #expect(answer.errorCode == code, "\(bad): \(answer.body)")
            #expect(answer.headers["www-authenticate"]?.contains("error=\"invalid_token\"") == true)
        }
    }

    @Test func usersAreAddedListedChangedAndRemoved() throws {
        let coordinator = try coordinator()
        let admin = try coordinator.adminToken()
        let weak = try coordinator.request("POST", "/api/v1/users", body: #"{"name":"vera","role":"viewer","password":"password123"}"#,
                                           token: admin)
        #expect(weak.status == 422)
        #expect(weak.errorCode == "invalid_password")
        let added = try coordinator.request("POST", "/api/v1/users", body: #"{"name":"vera","role":"viewer","password":"Viewer-pass-91"}"#,
                                            token: admin)
        #expect(added.status == 201, "\(added.body)")
        #expect(added.json["role"] as? String == "viewer")
        let list = try coordinator.request("GET", "/api/v1/users", token: admin)
        #expect(list.status == 200)
        let users = list.json["users"] as? [[String: Any]] ?? []
        #expect(users.map { $0["name"] as? String } == ["admin", "vera"])
        #expect(users.allSatisfy { $0["lockedUntil"] is NSNull && $0.count == 3 }, "\(list.body)")
        #expect(!list.body.contains("digest") && !list.body.contains("hash"))

        let viewer = try #require(try coordinator.login("vera", "Viewer-pass-91").json["token"] as? String)
        #expect(try coordinator.request("GET", "/api/v1/environments", token: viewer).status == 200)
        let forbidden = try coordinator.request("GET", "/api/v1/users", token: viewer)
        #expect(forbidden.status == 403)
        #expect(forbidden.errorCode == "forbidden")
        #expect(forbidden.body.contains("vera (viewer) may not GET /api/v1/users: needs admin"), "\(forbidden.body)")
        #expect(try coordinator.request("POST", "/api/v1/auth/rotate-key", body: "{}", token: viewer).status == 403)

        let noCurrent = try coordinator.request("POST", "/api/v1/users/vera/password", body: #"{"password":"Second-pass-42"}"#,
                                                token: viewer)
        #expect(noCurrent.status == 400)
        let wrongCurrent = try coordinator.request(
            "POST", "/api/v1/users/vera/password", body: #"{"password":"Second-pass-42","currentPassword":"Wrong-pass-000"}"#,
            token: viewer)
        #expect(wrongCurrent.errorCode == "invalid_credentials")
        #expect(wrongCurrent.headers["www-authenticate"] == #"Bearer realm="hotswap""#)
        // At once: revocation is by credential generation, so a token of the same second is revoked too.
        let changed = try coordinator.request(
            "POST", "/api/v1/users/vera/password", body: #"{"password":"Second-pass-42","currentPassword":"Viewer-pass-91"}"#,
            token: viewer)
        #expect(changed.status == 200, "\(changed.body)")
        #expect(try coordinator.request("GET", "/api/v1/auth/me", token: viewer).errorCode == "token_revoked")
        let again = try #require(try coordinator.login("vera", "Second-pass-42").json["token"] as? String)
        #expect(try coordinator.request("GET", "/api/v1/auth/me", token: again).status == 200)
        #expect(try coordinator.request("POST", "/api/v1/users/vera/password", body: #"{"password":"Third-pass-773"}"#,
                                        token: admin).status == 200)
        #expect(try coordinator.request("POST", "/api/v1/users/admin/password", body: #"{"password":"Admin-by-vera-1"}"#,
                                        token: try #require(coordinator.login("vera", "Third-pass-773").json["token"] as? String))
            .status == 403)

        #expect(try coordinator.request("DELETE", "/api/v1/users/vera", token: admin).status == 200)
        #expect(try coordinator.request("GET", "/api/v1/auth/me", token: again).errorCode == "unknown_user")
        #expect(try coordinator.request("DELETE", "/api/v1/users/vera", token: admin).status == 404)
        let last = try coordinator.request("DELETE", "/api/v1/users/admin", token: admin)
        #expect(last.status == 409)
        #expect(last.errorCode == "last_admin")
    }

    @Test func fiveWrongPasswordsLockTheAccountUntilAnAdminUnlocksIt() throws {
        let coordinator = try coordinator()
        let admin = try coordinator.adminToken()
        let body = #"{"name":"lou","role":"deployer","password":"Deployer-pass-5"}"#
        let added = try coordinator.request("POST", "/api/v1/users", body: body, token: admin)
        #expect(added.status == 201, "\(added.body)")
        for attempt in 1...4 {
            #expect(try coordinator.login("lou", "Wrong-pass-\(attempt)0000").errorCode == "invalid_credentials")
        }
        let fifth = try coordinator.login("lou", "Wrong-pass-50000")
        #expect(fifth.status == 401)
        #expect(fifth.errorCode == "account_locked", "\(fifth.body)")
        #expect(Int(fifth.headers["retry-after"] ?? "") ?? 0 >= 1)
        let right = try coordinator.login("lou", "Deployer-pass-5")
        #expect(right.errorCode == "account_locked")
        #expect(right.headers["retry-after"] != nil)
        let listed = try coordinator.request("GET", "/api/v1/users", token: admin).json["users"] as? [[String: Any]] ?? []
        #expect(listed.first { $0["name"] as? String == "lou" }?["lockedUntil"] is String)
        #expect(try coordinator.request("POST", "/api/v1/users/lou/unlock", token: admin).status == 200)
        #expect(try coordinator.login("lou", "Deployer-pass-5").status == 200)
    }

    @Test func rotatingTheKeyKeepsOldTokensOnlyForTheOverlap() throws {
        let coordinator = try coordinator()
        let first = try coordinator.adminToken()
        let rotated = try coordinator.request("POST", "/api/v1/auth/rotate-key", body: #"{"overlapSeconds":3600}"#, token: first)
        #expect(rotated.status == 200, "\(rotated.body)")
        #expect(rotated.json["overlapSeconds"] as? Int == 3600)
        #expect(try coordinator.request("GET", "/api/v1/auth/me", token: first).status == 200)
        let second = try coordinator.adminToken(renew: true)
        #expect(second != first)
        let outOfRange = try coordinator.request("POST", "/api/v1/auth/rotate-key", body: #"{"overlapSeconds":86401}"#, token: second)
        #expect(outOfRange.status == 422)
        let immediate = try coordinator.request("POST", "/api/v1/auth/rotate-key", body: #"{"overlapSeconds":0}"#, token: second)
        #expect(immediate.status == 200, "\(immediate.body)")
        #expect(try coordinator.request("GET", "/api/v1/auth/me", token: second).errorCode == "unknown_key")
        #expect(try coordinator.request("GET", "/api/v1/auth/me", token: first).status == 200)
    }

    @Test func oneAddressIsRateLimitedButHealthIsNot() throws {
        let coordinator = try coordinator(["--api-rate-per-address", "1"])
        let url = "\(coordinator.apiURL)/api/v1/environments"
        var limited: APIResponse?
        // Ten requests on one connection empty the bucket (burst 2, 1/s) unless the host stalls: then again.
        let refused = eventually(every: .milliseconds(100)) {
            _ = try? Self.statuses(of: url, times: 10, ca: coordinator.caPath)
            limited = try? coordinator.request("GET", "/api/v1/environments")
            return limited?.status == 429
        }
        #expect(refused)
        #expect(limited?.errorCode == "rate_limited")
        #expect(Int(limited?.headers["retry-after"] ?? "") ?? 0 >= 1)
        let health = try Self.statuses(of: "\(coordinator.apiURL)/healthz", times: 50, ca: coordinator.caPath)
        #expect(health == Array(repeating: 200, count: 50))
    }

    @Test func aLoginRefusedByItsBucketUploadsNothing() throws {
        let coordinator = try coordinator()
        let url = "\(coordinator.apiURL)/api/v1/auth/login"
        var refused: ContinueTrace?
        // Twelve bodiless logins on one connection empty the login bucket (burst 10, 1/s) unless
        // the host stalls: then again.
        let limited = eventually(every: .milliseconds(100)) {
            _ = try? ExternalCommand.run(["curl", "-sS", "--max-time", "20", "--cacert", coordinator.caPath, "-X", "POST"]
                                         + (0..<12).flatMap { _ in ["-o", "/dev/null", url] })
            refused = try? Self.expectingContinue("POST", url, bytes: 2_000, ca: coordinator.caPath)
            return refused?.status == 429
        }
        #expect(limited, "\(refused?.trace ?? "")")
        #expect(refused?.continued == false, "\(refused?.trace ?? "")")
        #expect(refused?.uploadedBytes == 0, "\(refused?.trace ?? "")")
    }

    @Test func everyMemberOfAClusterKnowsTheUsersAndTheKeys() throws {
        let cluster = try ClusterFixture()
        let token = try cluster.adminToken()
        let follower = try #require(cluster.names.compactMap { cluster.processes[$0] }.first { member in
            (try? member.request("GET", "/api/v1/cluster?consistency=serializable", token: token))?.json["role"] as? String == "follower"
        })
        let added = try follower.request("POST", "/api/v1/users", body: #"{"name":"dora","role":"deployer","password":"Cluster-pass-64"}"#,
                                         token: token)
        #expect(added.status == 201, "\(added.body)")
        for name in cluster.names {
            let member = try #require(cluster.processes[name])
            // A member sees a new user once it applied the entry: until then it knows no such user.
            let loggedIn = eventually { (try? member.login("dora", "Cluster-pass-64"))?.status == 200 }
            #expect(loggedIn, "\(name)")
        }
    }

    /// What curl saw of a request with `Expect: 100-continue` and a body: the final status, the
    /// body bytes it sent, whether `100 Continue` came, whether the answer closes the connection.
    struct ContinueTrace {
        var status: Int
        var uploadedBytes: Int
        var continued: Bool
        var closes: Bool
        /// curl's verbose output, for a failure's message.
        var trace: String
    }

    /// `method url` with a body of `bytes` and `Expect: 100-continue`, traced by curl.
    private static func expectingContinue(_ method: String, _ url: String, bytes: Int, ca: String,
                                          extra: [String] = []) throws -> ContinueTrace {
        let output = try ExternalCommand.run(["curl", "-sS", "-v", "--max-time", "20", "--cacert", ca, "-X", method,
                                              "-o", "/dev/null", "-w", "%{http_code} %{size_upload}",
                                              "-H", "Expect: 100-continue", "-H", "Content-Type: application/json",
                                              "--data-binary", String(repeating: "x", count: bytes)] + extra + [url])
        let numbers = output.standardOutput.split(separator: " ").compactMap { Int(Double($0) ?? -1) }
        let received = output.standardError.lowercased().split(whereSeparator: \.isNewline).filter { $0.hasPrefix("< ") }
        return ContinueTrace(status: numbers.first ?? 0, uploadedBytes: numbers.dropFirst().first ?? -1,
                             continued: received.contains { $0.hasPrefix("< http/1.1 100") },
                             closes: received.contains { $0.hasPrefix("< connection: close") }, trace: output.combined)
    }

    /// The statuses of `times` GETs of `url` on one keep-alive connection.
    private static func statuses(of url: String, times: Int, ca: String) throws -> [Int] {
        let output = try ExternalCommand.run(["curl", "-sS", "--max-time", "20", "--cacert", ca, "-w", "%{http_code}\n"]
                                             + (0..<times).flatMap { _ in ["-o", "/dev/null", url] })
        return output.standardOutput.split(separator: "\n").compactMap { Int($0) }
    }

    static func base64URL(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func decodedJSON(_ part: String) -> [String: Any]? {
        var text = part.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        text += String(repeating: "=", count: (4 - text.count % 4) % 4)
        guard let data = Data(base64Encoded: text) else { return nil }
        return (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
    }
}
