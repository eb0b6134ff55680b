import Access
@testable import Coordinator
import Testing
import Transport

/// The approval webhook's signature header and retry schedule (Docs/DEPLOYMENTS.md, "Approval
/// webhook"): `sha256=` and the lowercase hex HMAC-SHA256 of the exact body, which
/// `openssl dgst -sha256 -hmac` prints too; retries back off from 1 s, doubling, each delay drawn
/// from the upper half of its ceiling, never past 60 s, for at most 6 attempts.
@Suite struct ApprovalWebhookSigningTests {
    @Test func theSignatureIsTheHMACOfTheBodyInHex() throws {
        let body = Array("The quick brown fox jumps over the lazy dog".utf8)
        let signature = try HMACSHA256().authenticate(body, key: Array("key".utf8))
        let headers = WebhookPost.headers(body: body, signature: signature, event: "approval.pending", deliveryID: "d-1-00",
                                          sentAtMilliseconds: 1_796_630_400_123)
        let byName = Dictionary(headers, uniquingKeysWith: { $1 })
        #expect(byName["X-HotSwap-Signature"] == "sha256=f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8")
        #expect(byName["X-HotSwap-Timestamp"] == "1796630400")
        #expect(byName["X-HotSwap-Delivery"] == "d-1-00" && byName["X-HotSwap-Event"] == "approval.pending")
    }

    @Test func retriesBackOffExponentiallyWithJitterUpToTheCeiling() {
        var backoff = Backoff(initial: ApprovalWebhooks.backoffInitial, maximum: ApprovalWebhooks.backoffMaximum, seed: 7)
        var ceiling = ApprovalWebhooks.backoffInitial
        var total = Duration.zero
        for _ in 1..<ApprovalWebhooks.attemptsMaximum {
            let delay = backoff.nextDelay()
            #expect(delay >= ceiling / 2 && delay <= ceiling)
            total += delay
            ceiling = min(ceiling * 2, ApprovalWebhooks.backoffMaximum)
        }
        #expect(total <= .seconds(31), "five waits between six attempts: at most 1 + 2 + 4 + 8 + 16 s")
    }

    @Test func aFingerprintIsTheStartOfTheSecretsSHA256() {
        // printf %s abc | sha256sum
        #expect(SecretFingerprint.of(Array("abc".utf8)) == "ba7816bf8f01")
    }
}
