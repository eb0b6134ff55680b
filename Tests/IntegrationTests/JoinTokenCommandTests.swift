import Foundation
import Testing
import TestSupport

/// `hotswap tokens create|list|revoke` against a real coordinator: the token is printed once with
/// the CA hash openssl computes, listed without its secret, audited, and revoked.
@Suite(.serialized) struct JoinTokenCommandTests {
    @Test func createListAndRevokeRoundTripWithoutShowingTheSecretAgain() throws {
        let certificates = try CertificateFixture()
        let coordinator = try CoordinatorProcess(tlsDirectory: certificates.tlsDirectory)
        let run = { (arguments: [String]) in try EnvironmentCommandTests.hotswap(arguments, on: coordinator, ca: certificates.ca) }

        let made = try run(["tokens", "create", "--ttl", "1h", "--uses", "2", "--environment", "production"])
        #expect(made.status == 0, "\(made.combined)")
        let fields = Dictionary(made.standardOutput.split(separator: "\n").compactMap { line -> (String, String)? in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }, uniquingKeysWith: { first, _ in first })
        let token = try #require(fields["token"])
        let id = try #require(fields["id"])
        #expect(token.range(of: "^[0-9a-f]{12}\\.[0-9a-f]{64}$", options: .regularExpression) != nil, "\(token)")
        #expect(token.hasPrefix(id + "."))
        #expect(fields["uses"] == "2")
        let pin = try ExternalCommand.run(["sh", "-c", "openssl x509 -in \"$1\" -noout -pubkey | openssl pkey -pubin -outform DER "
                                               + "| openssl dgst -sha256 -r | cut -c1-64", "sh", certificates.ca])
        #expect(fields["ca-hash"] == "sha256:" + pin.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(fields["agent"]?.contains("--ca-hash sha256:") == true)

        let listed = try run(["tokens", "list"])
        #expect(listed.status == 0 && listed.standardOutput.contains(id), "\(listed.combined)")
        #expect(listed.standardOutput.contains("production") && !listed.standardOutput.contains(token))
        let secret = String(token.dropFirst(13))
        let audit = try coordinator.request("GET", "/api/v1/audit", token: try coordinator.adminToken())
        #expect(audit.body.contains("join_token.create") && audit.body.contains(id) && !audit.body.contains(secret), "\(audit.body)")

        let revoked = try run(["tokens", "revoke", id])
        #expect(revoked.status == 0 && revoked.standardOutput == "revoked join token \(id)\n", "\(revoked.combined)")
        #expect(!(try run(["tokens", "list"])).standardOutput.contains(id))
        let again = try run(["tokens", "revoke", id])
        #expect(again.status == 1 && again.standardError.contains("join token \(id) does not exist (HTTP 404 not_found)"),
                "\(again.combined)")
        #expect(coordinator.stop() == 0)
        #expect(!coordinator.log.text.contains(secret))
    }

    @Test func outOfBoundTokensAreRefusedBeforeOrByTheCluster() throws {
        let certificates = try CertificateFixture()
        let coordinator = try CoordinatorProcess(tlsDirectory: certificates.tlsDirectory)
        let run = { (arguments: [String]) in try EnvironmentCommandTests.hotswap(arguments, on: coordinator, ca: certificates.ca) }
        let short = try run(["tokens", "create", "--ttl", "10s"])
        #expect(short.status == 2 && short.standardError.contains("--ttl"), "\(short.combined)")
        let nowhere = try run(["tokens", "create", "--ttl", "1h", "--environment", "nowhere"])
        #expect(nowhere.status == 1 && nowhere.standardError.contains("environment 'nowhere' does not exist"), "\(nowhere.combined)")
        let admin = try coordinator.adminToken()
        let refusedBodies: [(String, String)] = [
            (#"{"ttlSeconds":2592001}"#, "ttlSeconds must be 1 to 2592000"),
            (#"{"ttlSeconds":18446744073709552}"#, "ttlSeconds must be 1 to 2592000"),
            (#"{"ttlSeconds":0}"#, "ttlSeconds must be 1 to 2592000"),
            (#"{"ttlSeconds":60,"uses":0}"#, "uses must be 1 to 10000"),
            (#"{"ttlSeconds":60,"usses":5}"#, "did you mean 'uses'?"),
            (#"{"uses":5}"#, "ttlSeconds is missing"),
        ]
        for (body, reason) in refusedBodies {
            let refused = try coordinator.request("POST", "/api/v1/join-tokens", body: body, token: admin)
            #expect(refused.status == 400 && refused.errorCode == "invalid_body" && refused.body.contains(reason),
                    "\(body): \(refused.body)")
        }
        let listed = try coordinator.request("GET", "/api/v1/join-tokens", token: admin)
        #expect(listed.status == 200 && listed.body.contains("\"tokens\":[]"), "a refused body made a token: \(listed.body)")
    }
}
