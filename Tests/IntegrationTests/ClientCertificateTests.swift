import Foundation
import Testing
import TestSupport

/// Client-certificate authentication on a real coordinator (Docs/ACCESS.md, "Client
/// certificates"), with curl, `openssl s_client` and the CLI: an operator certificate of the
/// cluster CA acts as the user of its name with that user's role, when no token is sent; any
/// other certificate speaks for no one; one from another CA or of a revoked name fails the
/// handshake; a client with no certificate still connects. A certificate's event stream ends
/// when its name is revoked or its user removed, and a new cluster CA refuses what the old one
/// verified, on connections already open too.
@Suite(.serialized)
final class ClientCertificateTests {
    let certificates: CertificateFixture
    let coordinator: CoordinatorProcess
    let adminToken: String
    /// `XDG_CONFIG_HOME` for the CLI: no stored login.
    let home = TemporaryDirectory()

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

    @Test func aCertificatesEventStreamEndsWhenItsNameIsRevokedOrItsUserRemoved() throws {
        let vera = try EventStreamClient(coordinator, token: nil, extra: presenting("vera"))
        let mallory = try EventStreamClient(coordinator, token: nil, extra: presenting("mallory"))
        try #require(vera.waitUntilOpen() && mallory.waitUntilOpen(), "\(vera.body) \(mallory.body)")
        let revoked = try coordinator.request("POST", "/api/v1/nodes/mallory/revoke", token: adminToken)
        #expect(revoked.status == 200, "\(revoked.body)")
        #expect(eventually { !mallory.process.isRunning }, "the revoked certificate's stream goes on: \(mallory.body)")
        #expect(vera.process.isRunning, "\(vera.body)")
        let removed = try ExternalCommand.run([HotSwapBinary.path, "users", "remove", "vera", "-o", "json"],
                                              environment: ["HOTSWAP_ADDR": coordinator.apiURL, "HOTSWAP_CA": coordinator.caPath,
                                                            "HOTSWAP_TOKEN": adminToken])
        let answer = try JSONSerialization.jsonObject(with: Data(removed.standardOutput.utf8)) as? [String: Any]
        #expect(removed.status == 0 && answer?["deleted"] as? String == "vera", "\(removed.combined)")
        let note = answer?["clientCertificates"] as? String ?? ""
        #expect(note.contains("revoke them with POST /api/v1/nodes/vera/revoke"), "\(removed.combined)")
        #expect(eventually { !vera.process.isRunning }, "the removed user's certificate stream goes on: \(vera.body)")
        // For people, the CLI says the same after its one line.
        let again = #"{"name":"vera","role":"viewer","password":"Second-coming-9381"}"#
        let added = try coordinator.request("POST", "/api/v1/users", body: again, token: adminToken)
        try #require(added.status == 201, "\(added.body)")
        let removedAgain = try ExternalCommand.run([HotSwapBinary.path, "users", "remove", "vera"],
                                                   environment: ["HOTSWAP_ADDR": coordinator.apiURL, "HOTSWAP_CA": coordinator.caPath,
                                                                 "HOTSWAP_TOKEN": adminToken])
        #expect(removedAgain.status == 0
            && removedAgain.standardOutput.hasPrefix("removed user vera\nnote: client certificates naming vera are not revoked"),
                "\(removedAgain.combined)")
    }

    /// The cluster CA replaced (another CA's `ca.pem`, and the coordinator's certificate from it)
    /// and reloaded: a keep-alive connection verified against the old CA is refused at its next
    /// request and closed, the certificate's event stream ends, and a certificate of the new CA
    /// is taken on a new connection.
    @Test func aNewClusterCARefusesConnectionsTheOldOneVerified() throws {
        let client = try TestTLSClient(certificate: certificates.certificate("vera"), key: certificates.key("vera"), ca: certificates.ca)
        let request = Array("GET /api/v1/auth/me HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".utf8)
        let (transcript, opened) = client.open(port: coordinator.apiPort, greeting: request)
        let connection = try #require(opened)
        #expect(eventually { transcript.receivedText.contains(#""method":"certificate""#) }, "\(transcript.receivedText)")
        let stream = try EventStreamClient(coordinator, token: nil, extra: presenting("vera"))
        try #require(stream.waitUntilOpen(), "\(stream.body)")

        for file in ["ca.pem", "c1.pem", "c1.key"] {
            try CertificateReloadTests.replace(certificates.directory.file(file), with: certificates.foreign.file(file))
        }
        kill(coordinator.pid, SIGHUP)
        #expect(eventually { self.coordinator.log.text.contains("certificates reloaded") }, "\(coordinator.log.text)")
        #expect(coordinator.log.text.contains("cluster CA changed"), "\(coordinator.log.text)")
        #expect(eventually { !stream.process.isRunning }, "the old CA's event stream goes on: \(stream.body)")

        let answered = transcript.received.count
        client.write(request, on: connection)
        #expect(eventually { transcript.isClosed }, "the old CA's connection stays open: \(transcript.receivedText)")
        let refusal = String(decoding: transcript.received.dropFirst(answered), as: UTF8.self)
        #expect(refusal.hasPrefix("HTTP/1.1 401") && refusal.contains(#""certificate_untrusted""#), "\(refusal)")
        #expect(refusal.contains("Connection: close"), "\(refusal)")

        let renewed = try coordinator.request("GET", "/api/v1/auth/me", extra: presenting("vera", from: certificates.foreign))
        #expect(renewed.status == 200 && renewed.json["user"] as? String == "vera", "\(renewed.body)")
        #expect(try coordinator.request("GET", "/api/v1/auth/me", extra: presenting("vera")).status == 0, "the old CA's certificate")
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
        #expect(alone.standardError.contains("--cert needs --key"), "\(alone.combined)")
    }

    /// The certificate request names the cluster CA, so a client with several certificates offers its.
    @Test func theHandshakeNamesTheClusterCAAsTheIssuerItAccepts() throws {
        try Prerequisite.requireTools("openssl")
        let output = try ExternalCommand.run(["openssl", "s_client", "-connect", "127.0.0.1:\(coordinator.apiPort)",
                                              "-CAfile", coordinator.caPath, "-tls1_2"], input: Data())
        let lines = output.standardOutput.split(separator: "\n")
        guard let heading = lines.firstIndex(of: "Acceptable client certificate CA names"), heading + 1 < lines.count else {
            Issue.record("no client CA names were sent: \(output.combined)")
            return
        }
        #expect(lines[heading + 1].contains("HotSwap cluster CA"), "\(output.combined)")
    }

    /// The environment for the CLI against this coordinator, with no ambient credential.
    private var environment: [String: String] {
        ["HOTSWAP_ADDR": coordinator.apiURL, "HOTSWAP_CA": coordinator.caPath, "XDG_CONFIG_HOME": home.path, "HOTSWAP_TOKEN": ""]
    }

    /// Flags outrank the environment: a certificate given with flags wins over HOTSWAP_TOKEN (whose
    /// admin token is then not sent), a token file over a certificate in the environment (which is
    /// then not presented: another CA's would fail the handshake); two at one level are refused.
    @Test func aCredentialGivenWithFlagsWinsAndTwoAtOneLevelAreRefused() throws {
        let withToken = environment.merging(["HOTSWAP_TOKEN": adminToken]) { $1 }
        let whoami = try ExternalCommand.run([HotSwapBinary.path, "auth", "whoami"] + presenting("vera"), environment: withToken)
        #expect(whoami.status == 0 && whoami.standardOutput.contains("vera (viewer) until "), "\(whoami.combined)")
        let users = try ExternalCommand.run([HotSwapBinary.path, "users", "list"] + presenting("vera"), environment: withToken)
        #expect(users.status == 3, "the admin token was sent: \(users.combined)")

        let tokenFile = TemporaryDirectory()
        try Data(adminToken.utf8).write(to: URL(fileURLWithPath: tokenFile.file("token")))
        let foreignInEnvironment = environment.merging(["HOTSWAP_CERT": certificates.foreign.file("vera.pem"),
                                                        "HOTSWAP_KEY": certificates.foreign.file("vera.key")]) { $1 }
        let admin = try ExternalCommand.run([HotSwapBinary.path, "auth", "whoami", "--token-file", tokenFile.file("token")],
                                            environment: foreignInEnvironment)
        #expect(admin.status == 0 && admin.standardOutput.contains("admin (admin)"), "\(admin.combined)")

        let bothFlags = try ExternalCommand.run([HotSwapBinary.path, "auth", "whoami", "--token-file", tokenFile.file("token")]
                                                + presenting("vera"), environment: environment)
        #expect(bothFlags.status == 2, "\(bothFlags.combined)")
        #expect(bothFlags.standardError.contains("give one credential: --token-file or --cert, not both"), "\(bothFlags.combined)")
        let bothVariables = try ExternalCommand.run([HotSwapBinary.path, "auth", "whoami"],
                                                    environment: foreignInEnvironment.merging(["HOTSWAP_TOKEN": adminToken]) { $1 })
        #expect(bothVariables.status == 2, "\(bothVariables.combined)")
        #expect(bothVariables.standardError.contains("give one credential: HOTSWAP_TOKEN or HOTSWAP_CERT, not both"),
                "\(bothVariables.combined)")
    }

    /// As ssh does: a key of one's own that others may read is refused naming the fix, and an
    /// encrypted key is refused rather than a passphrase asked for.
    @Test func anUnprotectedOrEncryptedKeyIsRefusedInOneLine() throws {
        try Prerequisite.requireTools("openssl")
        let keys = TemporaryDirectory()
        let open = keys.file("open.key")
        try FileManager.default.copyItem(atPath: certificates.key("vera"), toPath: open)
        #expect(chmod(open, 0o644) == 0)
        let certificate = certificates.certificate("vera")
        let refused = try ExternalCommand.run([HotSwapBinary.path, "nodes", "list", "--cert", certificate, "--key", open],
                                              environment: environment)
        #expect(refused.status == 1, "\(refused.combined)")
        #expect(refused.standardError.contains("the private key \(open) may be used by other users (mode 644) (chmod 600 \(open))"),
                "\(refused.combined)")

        let encrypted = keys.file("encrypted.key")
        let made = try ExternalCommand.run(["openssl", "pkey", "-in", certificates.key("vera"), "-aes256", "-passout", "pass:a-passphrase",
                                            "-out", encrypted])
        #expect(made.status == 0 && chmod(encrypted, 0o600) == 0, "\(made.combined)")
        let locked = try ExternalCommand.run([HotSwapBinary.path, "nodes", "list", "--cert", certificate, "--key", encrypted],
                                             environment: environment)
        #expect(locked.status == 1, "\(locked.combined)")
        #expect(locked.standardError.contains("the private key \(encrypted) is encrypted, and hotswap asks for no passphrase"),
                "\(locked.combined)")
        #expect(!locked.combined.lowercased().contains("pass phrase"), "\(locked.combined)")
    }

    /// The CLI reads the CA, the certificate and the key itself, and only a regular file: a FIFO
    /// in the place of any is refused at once, not opened (blocking) by OpenSSL, which would wait
    /// for a writer that never comes (the key is read from the descriptor its mode was checked on).
    @Test(arguments: ["--ca", "--cert", "--key"])
    func aCredentialFileThatIsAFIFOIsRefusedWithoutWaiting(flag: String) throws {
        let files = TemporaryDirectory()
        defer { files.remove() }
        let fifo = files.file("fifo.pem")
        #expect(mkfifo(fifo, 0o600) == 0)
        var paths = ["--ca": coordinator.caPath, "--cert": certificates.certificate("vera"), "--key": certificates.key("vera")]
        paths[flag] = fifo
        let arguments = ["--ca", "--cert", "--key"].flatMap { [$0, paths[$0]!] }
        let refused = try ExternalCommand.run([HotSwapBinary.path, "nodes", "list"] + arguments, environment: environment,
                                              timeout: .seconds(20))
        #expect(refused.status == 1, "\(refused.combined)")
        let expected = [
            "--ca": "hotswap: \(fifo) is a FIFO (a pipe), not a regular file, the only kind read (--ca or HOTSWAP_CA must name the "
                + "cluster's CA certificate, e.g. DIR/ca.pem)\n",
            "--cert": "hotswap: \(fifo) is a FIFO (a pipe), not a regular file, the only kind read (--cert and --key (or HOTSWAP_CERT "
                + "and HOTSWAP_KEY) must name a certificate and its private key, e.g. DIR/NAME.pem and DIR/NAME.key)\n",
            "--key": "hotswap: the private key \(fifo) is a FIFO (a pipe), not a regular file, the only kind read (--key (or "
                + "HOTSWAP_KEY) must name the private key of the certificate, e.g. DIR/NAME.key)\n",
        ]
        #expect(refused.standardError == expected[flag], "\(refused.combined)")
    }

    /// A certificate the server refuses in the handshake is named as refused, with the alert's
    /// reason, and nothing was done: in TLS 1.3 the alert comes after the request was written, but
    /// no request was read. A write is not "may have been carried out".
    @Test func aRefusedCertificateIsNamedAndNothingWasDone() throws {
        let foreignCertificate = certificates.foreign.file("vera.pem")
        let foreign = ["--cert", foreignCertificate, "--key", certificates.foreign.file("vera.key")]
        for command in [["nodes", "list"], ["auth", "rotate-key"]] {
            let refused = try ExternalCommand.run([HotSwapBinary.path] + command + foreign, environment: environment)
            #expect(refused.status == 3, "\(refused.combined)")
            #expect(refused.standardError.contains("the coordinator refused the client certificate \(foreignCertificate): unknown CA"),
                    "\(refused.combined)")
            #expect(refused.standardError.contains("nothing was done") && !refused.combined.contains("may have"), "\(refused.combined)")
        }
        let revoked = try coordinator.request("POST", "/api/v1/nodes/mallory/revoke", token: adminToken)
        #expect(revoked.status == 200, "\(revoked.body)")
        let mallory = try ExternalCommand.run([HotSwapBinary.path, "auth", "rotate-key"] + presenting("mallory"), environment: environment)
        #expect(mallory.status == 3, "\(mallory.combined)")
        #expect(mallory.standardError.contains("the coordinator refused the client certificate \(certificates.certificate("mallory")): "
            + "handshake failure"), "\(mallory.combined)")
    }
}
