@testable import Access
@testable import Coordinator
import Cluster
import Fleet
import Primitives
import Testing
import Transport

/// How the guard renders each refusal (Docs/ACCESS.md): 401 with the token's reason and the
/// invalid_token challenge, 401 authentication_required without one, 403 naming the role
/// needed, 429 with Retry-After per address, per user and per address for logins; health is
/// never limited. A client certificate of role operator acts as its user when no token is sent.
@Suite struct APIGuardTests {
    static let nowMilliseconds: UInt64 = 1_750_000_000_000
    static let hmac = try! HMACSHA256()
    static let key = SigningKeyRecord(id: [1, 2, 3, 4, 5, 6, 7, 8], secret: [UInt8](repeating: 0x42, count: 32),
                                      createdAtMilliseconds: 1_700_000_000_000)

    static func view() -> ClusterView {
        var view = ClusterView(selfName: "c1", directory: MemberDirectory(founding: ClusterTopology(members: [])))
        view.signingKeys = [key]
        let digest = PasswordHasher.unknownUserDigest
        view.users = ["vera": UserRecord(name: "vera", role: .viewer, digest: digest),
                      "ada": UserRecord(name: "ada", role: .admin, digest: digest)]
        return view
    }

    static func token(_ subject: String, issuedAtSeconds: UInt64 = nowMilliseconds / 1_000 - 10) throws -> String {
        try TokenSigner.sign(TokenClaims(subject: subject, role: .viewer, credentialIndex: 0, issuedAtSeconds: issuedAtSeconds,
                                         notBeforeSeconds: issuedAtSeconds, expiresAtSeconds: issuedAtSeconds + 3_600, id: "00"),
                             with: key, hmac: hmac)
    }

    static func admit(_ accessGuard: APIGuard, authorization: [String], requirement: AccessRequirement = .role(.admin),
                      route: String = "GET /api/v1/users", isRateLimited: Bool = true, host: String = "192.0.2.1",
                      nanoseconds: UInt64 = 1_000, peer: AuthenticatedPeer? = nil) -> APIGuard.Admission {
        accessGuard.admit(APIGuard.Request(route: route, authorization: authorization, sourceHost: host, parameters: [:], peer: peer),
                          requirement: requirement, isRateLimited: isRateLimited, takesLoginBucket: route == APIGuard.loginRoute,
                          nowMilliseconds: nowMilliseconds, nowNanoseconds: nanoseconds)
    }

    static func refusal(_ admission: APIGuard.Admission) -> HTTPReply? {
        if case let .refused(reply) = admission { return reply }
        return nil
    }

    /// Names of which every certificate is revoked, as `AgentRevocations` would say.
    static let revokedNames: Set<String> = ["mallory"]

    /// The API port's trust generation now: certificates stamped with an older one were verified before a CA reload.
    static let trustGeneration: UInt64 = 3

    static func makeGuard(_ settings: AccessSettings = AccessSettings()) -> APIGuard {
        APIGuard(settings: settings, hmac: hmac, revocation: { name, _ in revokedNames.contains(name) ? "\(name) was revoked" : nil },
                 trustGeneration: { trustGeneration }) {
            APIGuardTests.view()
        }
    }

    static func certificate(_ name: String, role: String = "operator", notAfterSeconds: Int64 = Int64(nowMilliseconds / 1_000) + 86_400,
                            trustGeneration: UInt64 = trustGeneration) -> AuthenticatedPeer {
        AuthenticatedPeer(role: role, name: name, notBeforeSeconds: Int64(nowMilliseconds / 1_000) - 600, notAfterSeconds: notAfterSeconds,
                          trustGeneration: trustGeneration)
    }

    let accessGuard = APIGuardTests.makeGuard()

    @Test func aMissingOrForeignAuthorizationNeedsAuthentication() throws {
        for fields in [[], ["Basic YWRhOng="], ["Bearer a", "Bearer b"], ["Bearer"]] {
            let reply = try #require(Self.refusal(Self.admit(accessGuard, authorization: fields)))
            #expect(reply.status == 401)
            #expect(String(decoding: reply.body, as: UTF8.self).contains("\"authentication_required\""))
            #expect(reply.headers["WWW-Authenticate"] == APIGuard.challenge)
        }
    }

    @Test func aBadTokenIsRefusedWithItsReason() throws {
        let now = Self.nowMilliseconds / 1_000
        let cases: [(String, String)] = [
            ("x.y", "malformed_token"),
            (try Self.token("ada", issuedAtSeconds: now - 7_200), "token_expired"),
            (try Self.token("ada", issuedAtSeconds: now + 3_600), "token_not_yet_valid"),
            (try Self.token("ghost"), "unknown_user"),
        ]
        for (token, code) in cases {
            let reply = try #require(Self.refusal(Self.admit(accessGuard, authorization: ["bEaReR \(token)"])))
            #expect(reply.status == 401)
            #expect(String(decoding: reply.body, as: UTF8.self).contains("\"\(code)\""), "\(code)")
            #expect(reply.headers["WWW-Authenticate"] == APIGuard.invalidTokenChallenge)
        }
    }

    @Test func aRoleTooLowIsForbiddenAndAnAdminIsAdmitted() throws {
        let forbidden = try #require(Self.refusal(Self.admit(accessGuard, authorization: ["Bearer \(try Self.token("vera"))"])))
        #expect(forbidden.status == 403)
        #expect(String(decoding: forbidden.body, as: UTF8.self).contains("vera (viewer) may not GET /api/v1/users: needs admin"))
        let admitted = Self.admit(accessGuard, authorization: ["Bearer \(try Self.token("ada"))"])
        #expect(admitted == .admitted(VerifiedCaller(name: "ada", role: .admin, expiresAtSeconds: Self.nowMilliseconds / 1_000 + 3_590)))
        #expect(Self.admit(accessGuard, authorization: [], requirement: .open) == .admitted(nil))
    }

    @Test func anAddressAndAUserAreLimitedButHealthIsNot() throws {
        var settings = AccessSettings()
        settings.requestsPerSecondPerAddress = 1
        settings.requestsPerSecondPerUser = 1
        let limited = Self.makeGuard(settings)
        for _ in 0..<10 {
            let health = Self.admit(limited, authorization: [], requirement: .open, route: "GET /healthz", isRateLimited: false)
            #expect(health == .admitted(nil))
        }
        for _ in 0..<2 { #expect(Self.admit(limited, authorization: [], requirement: .open) == .admitted(nil)) }
        let byAddress = try #require(Self.refusal(Self.admit(limited, authorization: [], requirement: .open)))
        #expect(byAddress.status == 429)
        #expect(byAddress.retryAfterSeconds == 1)
        #expect(String(decoding: byAddress.body, as: UTF8.self).contains("\"rate_limited\""))
        // Another address of the same IPv6 /64 shares the bucket; one of another /64 does not.
        for _ in 0..<2 { #expect(Self.admit(limited, authorization: [], requirement: .open, host: "2001:db8::1") == .admitted(nil)) }
        #expect(Self.refusal(Self.admit(limited, authorization: [], requirement: .open, host: "2001:db8::2")) != nil)
        #expect(Self.admit(limited, authorization: [], requirement: .open, host: "2001:db8:0:1::2") == .admitted(nil))
        let token = "Bearer \(try Self.token("ada"))"
        for host in ["198.51.100.1", "198.51.100.2"] {
            #expect(Self.refusal(Self.admit(limited, authorization: [token], host: host)) == nil)
        }
        let byUser = try #require(Self.refusal(Self.admit(limited, authorization: [token], host: "198.51.100.3")))
        #expect(byUser.status == 429)
        #expect(String(decoding: byUser.body, as: UTF8.self).contains("too many requests by ada"))
    }

    @Test func aLoginTakesTheLoginBucketOnItsHead() throws {
        let login = { (host: String) in
            Self.admit(self.accessGuard, authorization: [], requirement: .open, route: APIGuard.loginRoute, host: host)
        }
        for _ in 0..<AccessSettings.loginBurstPerAddress { #expect(login("192.0.2.7") == .admitted(nil)) }
        let refused = try #require(Self.refusal(login("192.0.2.7")))
        #expect(refused.status == 429)
        #expect(String(decoding: refused.body, as: UTF8.self).contains("too many logins from this address"))
        #expect(login("192.0.2.8") == .admitted(nil))
        #expect(Self.admit(accessGuard, authorization: [], requirement: .open, route: "GET /api/v1/other", host: "192.0.2.7")
            == .admitted(nil), "only a login takes the login bucket")
    }

    @Test func anOperatorCertificateActsAsItsUserWithTheRoleNow() throws {
        let vera = Self.certificate("vera")
        let viewer = Self.admit(accessGuard, authorization: [], requirement: .role(.viewer), peer: vera)
        #expect(viewer == .admitted(VerifiedCaller(name: "vera", role: .viewer, expiresAtSeconds: UInt64(vera.notAfterSeconds!),
                                                   method: .certificate)))
        let admin = try #require(Self.refusal(Self.admit(accessGuard, authorization: [], peer: vera)))
        #expect(admin.status == 403)
        #expect(String(decoding: admin.body, as: UTF8.self).contains("vera (viewer) may not GET /api/v1/users: needs admin"))
    }

    @Test func aCertificateThatSpeaksForNoUserIsRefusedWithItsReason() throws {
        let now = Int64(Self.nowMilliseconds / 1_000)
        let cases: [(AuthenticatedPeer, String)] = [
            (Self.certificate("ghost"), "unknown_user"),
            (Self.certificate("ada", role: "agent"), "wrong_certificate_role"),
            (Self.certificate("ada", role: "coordinator"), "wrong_certificate_role"),
            (Self.certificate("ada", notAfterSeconds: now - 1), "certificate_expired"),
            (Self.certificate("mallory"), "certificate_revoked"),
        ]
        for (peer, code) in cases {
            let reply = try #require(Self.refusal(Self.admit(accessGuard, authorization: [], requirement: .role(.viewer), peer: peer)))
            #expect(reply.status == 401)
            #expect(String(decoding: reply.body, as: UTF8.self).contains("\"\(code)\""), "\(code)")
            #expect(reply.headers["WWW-Authenticate"] == APIGuard.challenge)
            #expect(!reply.closesConnection, "\(code)")
        }
    }

    /// A CA reload since the connection's handshake: its certificate, even of a user who may,
    /// speaks for no one, and the connection closes; one verified under the roots in force (or a
    /// newer context's, installed just before the generation moves) goes on; a token still wins.
    @Test func aCertificateVerifiedBeforeTheCAWasReloadedIsRefusedAndItsConnectionClosed() throws {
        let stale = Self.certificate("ada", trustGeneration: Self.trustGeneration - 1)
        let reply = try #require(Self.refusal(Self.admit(accessGuard, authorization: [], requirement: .role(.viewer), peer: stale)))
        #expect(reply.status == 401 && reply.closesConnection)
        #expect(String(decoding: reply.body, as: UTF8.self).contains("\"certificate_untrusted\""))
        #expect(reply.headers["WWW-Authenticate"] == APIGuard.challenge)
        #expect(accessGuard.certificateRefusal(stale) == reply)
        for generation in [Self.trustGeneration, Self.trustGeneration + 1] {
            #expect(Self.refusal(Self.admit(accessGuard, authorization: [], requirement: .role(.viewer),
                                            peer: Self.certificate("ada", trustGeneration: generation))) == nil)
        }
        #expect(Self.refusal(Self.admit(accessGuard, authorization: ["Bearer \(try Self.token("ada"))"], peer: stale)) == nil)
    }

    @Test func aTokenWinsOverTheCertificate() throws {
        let vera = Self.certificate("vera")
        let admitted = Self.admit(accessGuard, authorization: ["Bearer \(try Self.token("ada"))"], peer: vera)
        #expect(admitted == .admitted(VerifiedCaller(name: "ada", role: .admin, expiresAtSeconds: Self.nowMilliseconds / 1_000 + 3_590)))
        let badToken = try #require(Self.refusal(Self.admit(accessGuard, authorization: ["Bearer x.y"], requirement: .role(.viewer),
                                                            peer: vera)))
        #expect(String(decoding: badToken.body, as: UTF8.self).contains("\"malformed_token\""))
    }

    @Test func aCertificateCallerTakesThePerUserBucket() throws {
        var settings = AccessSettings()
        settings.requestsPerSecondPerUser = 1
        let limited = Self.makeGuard(settings)
        for host in ["198.51.100.1", "198.51.100.2"] {
            #expect(Self.refusal(Self.admit(limited, authorization: [], host: host, peer: Self.certificate("ada"))) == nil)
        }
        let byUser = try #require(Self.refusal(Self.admit(limited, authorization: [], host: "198.51.100.3", peer: Self.certificate("ada"))))
        #expect(byUser.status == 429)
    }
}
