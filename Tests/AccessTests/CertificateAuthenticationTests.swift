import Access
import Fleet
import Primitives
import Testing

/// A client certificate speaks for the user of its name only when its role is operator, it has
/// not expired (its notAfter is the last valid second) and the user exists; the role is the
/// user's now, and the caller expires with the certificate.
struct CertificateAuthenticationTests {
    static let nowMilliseconds: UInt64 = 1_750_000_000_500
    static let nowSeconds = Int64(nowMilliseconds / 1_000)
    static let users = ["dana": UserRecord(name: "dana", role: .deployer, digest: PasswordHasher.unknownUserDigest)]

    static func verify(role: String = "operator", name: String = "dana", notAfterSeconds: Int64? = nowSeconds + 60)
        -> Result<VerifiedCaller, CertificateRejection> {
        CertificateAuthentication.verify(role: role, name: name, notAfterSeconds: notAfterSeconds, nowMilliseconds: nowMilliseconds,
                                         user: { users[$0] })
    }

    @Test func anOperatorCertificateActsAsTheUserOfItsNameUntilItsNotAfter() {
        #expect(Self.verify() == .success(VerifiedCaller(name: "dana", role: .deployer, expiresAtSeconds: UInt64(Self.nowSeconds + 60),
                                                        method: .certificate)))
        // notAfter is the last second the certificate is valid, this one included.
        #expect(Self.verify(notAfterSeconds: Self.nowSeconds) == .success(
            VerifiedCaller(name: "dana", role: .deployer, expiresAtSeconds: UInt64(Self.nowSeconds), method: .certificate)))
    }

    @Test func aCertificateOfAnotherRoleIsRefusedNamingIt() {
        for role in ["agent", "coordinator"] {
            let refused = Self.verify(role: role)
            #expect(refused == .failure(.notAnOperator(role: role, name: "dana")))
            if case let .failure(rejection) = refused {
                #expect(rejection.code == "wrong_certificate_role")
                #expect(rejection.message.contains("for \(role) dana; only a certificate of role operator acts as a user"))
            }
        }
    }

    @Test func anExpiredOrUnreadableCertificateIsRefused() {
        #expect(Self.verify(notAfterSeconds: Self.nowSeconds - 1) == .failure(.expired))
        #expect(Self.verify(notAfterSeconds: nil) == .failure(.validityUnreadable))
        #expect(Self.verify(notAfterSeconds: -1) == .failure(.validityUnreadable))
        #expect(CertificateRejection.expired.code == "certificate_expired")
    }

    @Test func aNameThatIsNoUserIsRefused() {
        let refused = Self.verify(name: "erin")
        #expect(refused == .failure(.unknownUser(name: "erin")))
        if case let .failure(rejection) = refused { #expect(rejection.code == "unknown_user") }
    }

    /// A name no user could have is refused before any lookup (the lookup is never asked).
    @Test func aNameThatCannotBeAUserNameIsRefusedWithoutALookup() {
        for name in ["Dana", "9lives", "", String(repeating: "d", count: 33)] {
            let refused = CertificateAuthentication.verify(role: "operator", name: name, notAfterSeconds: Self.nowSeconds + 60,
                                                           nowMilliseconds: Self.nowMilliseconds,
                                                           user: { _ in Issue.record("looked up \(name)"); return nil })
            #expect(refused == .failure(.notAUserName(name: name)))
            if case let .failure(rejection) = refused {
                #expect(rejection.code == "unknown_user" && rejection.message.contains("is not a user name"))
            }
        }
    }

    /// A certificate is judged by the trust roots in force: one verified under an older
    /// generation (before a CA reload) is refused; the current or a newer one is not.
    @Test func aCertificateVerifiedUnderOlderTrustRootsIsRefused() {
        #expect(CertificateAuthentication.trustRejection(generation: 4, current: 5) == .untrusted)
        #expect(CertificateAuthentication.trustRejection(generation: 5, current: 5) == nil)
        #expect(CertificateAuthentication.trustRejection(generation: 6, current: 5) == nil)
        #expect(CertificateRejection.untrusted.code == "certificate_untrusted")
    }
}
