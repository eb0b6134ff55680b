import Foundation
import Testing
import TestSupport

/// Client-certificate authentication on a real coordinator (Docs/ACCESS.md, "Client
/// certificates"), with curl, `openssl s_client` and the CLI: an operator certificate of the
/// cluster CA acts as the user of its name with that user's role, when no token is sent; any
/// other certificate speaks for no one; one from another CA or of a revoked name fails the
/// handshake; a client with no certificate still connects.
@Suite(.serialized)
final class ClientCertificateTests {
    let certificates: CertificateFixture
    let coordinator: CoordinatorProcess
    let adminToken: String

    init() throws {
        certificates = try CertificateFixture()
        for name in ["vera", "ghost", "mallory"] {
            try CertificateFixture.hotswap(["certs", "issue", "--dir", certificates.directory.path, "--role", "operator", "--name", name])
        }
        try CertificateFixture.hotswap(["certs", "issue", "--dir", certificates.foreign.path, "--role", "operator", "--name", "vera"])
        coordinator = try CoordinatorProcess(tlsDirectory: certificates.tlsDirectory)
        adminToken = try coordinator.adminToken()
        for name in ["vera", "mallory"] {
            let body = #"{"name":"\#(name)","role":"viewer","password":"Viewer-pass-4711"}"#
            let made = try coordinator.request("POST", "/api/v1/users", body: body, token: adminToken)
            #expect(made.status == 201, "\(made.body)")
        }
    }

    /// curl's arguments presenting `name`'s certificate and key from `directory` (the cluster CA's by default).
    func presenting(_ name: String, from directory: TemporaryDirectory? = nil) -> [String] {
        let directory = directory ?? certificates.directory
        return ["--cert", directory.file("\(name).pem"), "--key", directory.file("\(name).key")]
    }

    @Test func anOperatorCertificateActsAsItsUserWithThatUsersRole() throws {
        let me = try coordinator.request("GET", "/api/v1/auth/me", extra: presenting("vera"))
        #expect(me.status == 200, "\(me.body)")
        #expect(me.json["user"] as? String == "vera" && me.json["role"] as? String == "viewer", "\(me.body)")
        #expect(me.json["method"] as? String == "certificate", "\(me.body)")
        #expect(try coordinator.request("GET", "/api/v1/environments", extra: presenting("vera")).status == 200)
        let admin = try coordinator.request("GET", "/api/v1/users", extra: presenting("vera"))
        #expect(admin.status == 403, "\(admin.body)")
        #expect(admin.body.contains("vera (viewer) may not GET /api/v1/users: needs admin"), "\(admin.body)")
    }

    @Test func aCertificateThatSpeaksForNoUserIs401() throws {
        let ghost = try coordinator.request("GET", "/api/v1/environments", extra: presenting("ghost"))
        #expect(ghost.status == 401 && ghost.errorCode == "unknown_user", "\(ghost.body)")
        #expect(ghost.headers["www-authenticate"] == #"Bearer realm="hotswap""#)
        let agent = try coordinator.request("GET", "/api/v1/environments", extra: presenting("node-1"))
        #expect(agent.status == 401 && agent.errorCode == "wrong_certificate_role", "\(agent.body)")
        #expect(agent.body.contains("for agent node-1; only a certificate of role operator acts as a user"), "\(agent.body)")
    }

    @Test func aTokenWinsOverTheCertificate() throws {
        let me = try coordinator.request("GET", "/api/v1/auth/me", token: adminToken, extra: presenting("vera"))
        #expect(me.json["user"] as? String == "admin" && me.json["method"] as? String == "token", "\(me.body)")
        #expect(try coordinator.request("GET", "/api/v1/users", token: adminToken, extra: presenting("vera")).status == 200)
    }

    @Test func aCertificateOfAnotherCAOrOfARevokedNameFailsTheHandshake() throws {
        let foreign = try coordinator.request("GET", "/api/v1/environments", extra: presenting("vera", from: certificates.foreign))
        #expect(foreign.status == 0, "no HTTP answer: \(foreign.body)")
        #expect(eventually { self.coordinator.log.text.contains("unable to get local issuer certificate") }, "\(coordinator.log.text)")

        #expect(try coordinator.request("GET", "/api/v1/environments", extra: presenting("mallory")).status == 200)
        let revoked = try coordinator.request("POST", "/api/v1/nodes/mallory/revoke", token: adminToken)
        #expect(revoked.status == 200, "\(revoked.body)")
        let refused = try coordinator.request("GET", "/api/v1/environments", extra: presenting("mallory"))
        #expect(refused.status == 0, "no HTTP answer: \(refused.body)")
        #expect(eventually { self.coordinator.log.text.contains("peer refused: node 'mallory' was revoked") }, "\(coordinator.log.text)")
    }

    @Test func aClientWithoutACertificateCompletesTheHandshakeAndUsesAToken() throws {
        try Prerequisite.requireTools("openssl")
        let request = "GET /api/v1/auth/me HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(adminToken)\r\n"
            + "Connection: close\r\n\r\n"
        let output = try ExternalCommand.run(["openssl", "s_client", "-connect", "127.0.0.1:\(coordinator.apiPort)",
                                              "-CAfile", coordinator.caPath, "-verify_return_error", "-ign_eof"],
                                             input: Data(request.utf8))
        #expect(output.standardOutput.contains("Verify return code: 0 (ok)"), "\(output.combined)")
        #expect(output.standardOutput.contains(#""user":"admin""#), "\(output.combined)")
    }

    @Test func theCommandLinePresentsTheCertificateGivenWithItsKey() throws {
        let home = TemporaryDirectory()
        let environment = ["HOTSWAP_ADDR": coordinator.apiURL, "HOTSWAP_CA": coordinator.caPath, "XDG_CONFIG_HOME": home.path,
                           "HOTSWAP_TOKEN": ""]
        let whoami = try ExternalCommand.run([HotSwapBinary.path, "auth", "whoami"] + presenting("vera"), environment: environment)
        #expect(whoami.status == 0, "\(whoami.combined)")
        #expect(whoami.standardOutput.contains("vera (viewer) until ")
            && whoami.standardOutput.contains("with the client certificate \(certificates.certificate("vera"))"), "\(whoami.combined)")
        let fromEnvironment = environment.merging(["HOTSWAP_CERT": certificates.certificate("vera"),
                                                   "HOTSWAP_KEY": certificates.key("vera")]) { $1 }
        let forbidden = try ExternalCommand.run([HotSwapBinary.path, "users", "list"], environment: fromEnvironment)
        #expect(forbidden.status == 3, "\(forbidden.combined)")
        #expect(forbidden.standardError.contains("vera (viewer) may not GET /api/v1/users: needs admin"), "\(forbidden.combined)")
        let ghost = try ExternalCommand.run([HotSwapBinary.path, "nodes", "list"] + presenting("ghost"), environment: environment)
        #expect(ghost.status == 3, "\(ghost.combined)")
        #expect(ghost.standardError.contains("the client certificate was refused: no user is named ghost"), "\(ghost.combined)")
        let alone = try ExternalCommand.run([HotSwapBinary.path, "nodes", "list", "--cert", certificates.certificate("vera")],
                                            environment: environment)
        #expect(alone.status == 2, "\(alone.combined)")
        #expect(alone.standardError.contains("--cert (or HOTSWAP_CERT) needs --key (or HOTSWAP_KEY)"), "\(alone.combined)")
    }
}
