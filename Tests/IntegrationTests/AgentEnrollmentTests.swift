import Foundation
import Testing
import TestSupport

/// Enrollment with real processes (Docs/CERTIFICATES.md, "Enrollment"): a coordinator with
/// `--signing-key`, a token made with `hotswap tokens create`, and `hotswap agent` with an empty
/// `--tls-dir` that enrolls, writes its credentials and reports; a wrong `--ca-hash` stops before
/// the token is sent, and a used-up token is refused.
@Suite(.serialized) struct AgentEnrollmentTests {
    @Test func anAgentEnrollsWithAJoinTokenAndReports() throws {
        let certificates = try CertificateFixture(agents: [])
        let coordinator = try Self.enrollingCoordinator(certificates)
        let (token, pin) = try Self.makeToken(uses: 1, on: coordinator, certificates)
        let tokenFile = TemporaryDirectory()
        try Data(token.utf8).write(to: URL(fileURLWithPath: tokenFile.file("token")))
        let tls = TemporaryDirectory()
        let agentDirectory = tls.file("agent-tls")
        let agent = try AgentProcess(name: "edge-1", tlsDirectory: agentDirectory, coordinators: ["127.0.0.1:\(coordinator.agentPort)"],
                                     extraArguments: ["--interval", "200ms", "--join-token-file", tokenFile.file("token"),
                                                      "--ca-hash", pin])
        let run = { (arguments: [String]) in try EnvironmentCommandTests.hotswap(arguments, on: coordinator, ca: certificates.ca) }
        #expect(eventually { (try? run(["nodes", "-o", "json"]))?.standardOutput.contains("edge-1") == true }, "\(agent.log.text)")
        #expect(Self.mode(agentDirectory) == 0o700 && Self.mode(agentDirectory + "/edge-1.key") == 0o600)
        let shown = try ExternalCommand.run(["openssl", "x509", "-in", agentDirectory + "/edge-1.pem", "-noout",
                                             "-ext", "subjectAltName,extendedKeyUsage"])
        #expect(shown.standardOutput.contains("URI:hotswap://agent/edge-1")
                && shown.standardOutput.contains("TLS Web Client Authentication"))
        #expect(!shown.standardOutput.contains("DNS:") && !shown.standardOutput.contains("IP Address:")
                && !shown.standardOutput.contains("Server Authentication"), "\(shown.standardOutput)")
        let verified = try ExternalCommand.run(["openssl", "verify", "-CAfile", certificates.ca, agentDirectory + "/edge-1.pem"])
        #expect(verified.status == 0, "\(verified.combined)")
        #expect(!agent.log.text.contains(String(token.dropFirst(13))))

        let again = try ExternalCommand.run([HotSwapBinary.path, "agent", "--name", "edge-2", "--coordinators",
                                             "127.0.0.1:\(coordinator.agentPort)", "--tls-dir", tls.file("second"),
                                             "--data-dir", tls.file("second-data"), "--join-token", token, "--ca-hash", pin])
        #expect(again.status == 1 && again.standardError.contains("join_token_refused"), "\(again.combined)")
        #expect(!FileManager.default.fileExists(atPath: tls.file("second") + "/edge-2.pem"))
        #expect(eventually { coordinator.log.text.contains("enrollment refused") })
        #expect(agent.stop() == 0)
        #expect(coordinator.stop() == 0)
        #expect(!coordinator.log.text.contains(String(token.dropFirst(13))))
    }

    /// `localhost` often resolves to `::1` before `127.0.0.1`, where the coordinator listens: the
    /// enrolling agent tries each address in order (here the coordinator's certificate names
    /// `DNS:localhost`, the name the agent checks it against).
    @Test func anAgentGivenLocalhostEnrollsThroughWhicheverAddressAnswers() throws {
        let certificates = try CertificateFixture(agents: [])
        let coordinator = try Self.enrollingCoordinator(certificates)
        let (token, pin) = try Self.makeToken(uses: 1, on: coordinator, certificates)
        let tls = TemporaryDirectory()
        let agent = try AgentProcess(name: "edge-1", tlsDirectory: tls.file("agent-tls"),
                                     coordinators: ["localhost:\(coordinator.agentPort)"],
                                     extraArguments: ["--interval", "200ms", "--join-token", token, "--ca-hash", pin])
        let run = { (arguments: [String]) in try EnvironmentCommandTests.hotswap(arguments, on: coordinator, ca: certificates.ca) }
        #expect(eventually { (try? run(["nodes", "-o", "json"]))?.standardOutput.contains("edge-1") == true }, "\(agent.log.text)")
        #expect(agent.log.text.contains("enrolled"), "\(agent.log.text)")
        #expect(FileManager.default.fileExists(atPath: tls.file("agent-tls") + "/edge-1.pem"))
        #expect(agent.stop() == 0)
        #expect(coordinator.stop() == 0)
    }

    /// A `ca.pem` already in `--tls-dir` (here the cluster CA and another) is the operator's: enrollment checks the
    /// certificate against it and leaves it as it was.
    @Test func anExistingCABundleIsKeptAndTheCertificateCheckedAgainstIt() throws {
        let certificates = try CertificateFixture(agents: [])
        let coordinator = try Self.enrollingCoordinator(certificates)
        let (token, pin) = try Self.makeToken(uses: 1, on: coordinator, certificates)
        let tls = TemporaryDirectory()
        let bundle = try Data(contentsOf: URL(fileURLWithPath: certificates.ca))
            + Data(contentsOf: URL(fileURLWithPath: certificates.foreign.file("ca.pem")))
        try bundle.write(to: URL(fileURLWithPath: tls.file("ca.pem")))
        let agent = try AgentProcess(name: "edge-1", tlsDirectory: tls.path, coordinators: ["127.0.0.1:\(coordinator.agentPort)"],
                                     extraArguments: ["--interval", "200ms", "--join-token", token, "--ca-hash", pin])
        let run = { (arguments: [String]) in try EnvironmentCommandTests.hotswap(arguments, on: coordinator, ca: certificates.ca) }
        #expect(eventually { (try? run(["nodes", "-o", "json"]))?.standardOutput.contains("edge-1") == true }, "\(agent.log.text)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: tls.file("ca.pem"))) == bundle)
        #expect(agent.stop() == 0)
    }

    @Test func aWrongCAHashStopsBeforeTheTokenIsSent() throws {
        let certificates = try CertificateFixture(agents: [])
        let coordinator = try Self.enrollingCoordinator(certificates)
        let (token, _) = try Self.makeToken(uses: 1, on: coordinator, certificates)
        let wrong = "sha256:" + String(repeating: "ab", count: 32)
        let tls = TemporaryDirectory()
        let refused = try ExternalCommand.run([HotSwapBinary.agentPath, "--name", "edge-1", "--coordinators",
                                               "127.0.0.1:\(coordinator.agentPort)", "--tls-dir", tls.file("tls"),
                                               "--data-dir", tls.file("data"), "--join-token", token, "--ca-hash", wrong])
        #expect(refused.status == 1 && refused.standardError.contains("not the --ca-hash") &&
                refused.standardError.contains("the join token was not sent"), "\(refused.combined)")
        let run = { (arguments: [String]) in try EnvironmentCommandTests.hotswap(arguments, on: coordinator, ca: certificates.ca) }
        let listed = try run(["tokens", "list"])
        let row = listed.standardOutput.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
            .first { $0.first == String(token.prefix(12)) }
        #expect(row?.dropFirst().first == "1", "the token's use was taken: \(listed.combined)")
        #expect(!coordinator.log.text.contains("enrollment refused") && !coordinator.log.text.contains("agent enrolled"))
        #expect(coordinator.stop() == 0)
    }

    /// A token made for one environment enrolls no agent that reports another, and that refusal leaves its use.
    @Test func aTokenForAnotherEnvironmentIsRefused() throws {
        let certificates = try CertificateFixture(agents: [])
        let coordinator = try Self.enrollingCoordinator(certificates)
        let run = { (arguments: [String]) in try EnvironmentCommandTests.hotswap(arguments, on: coordinator, ca: certificates.ca) }
        #expect(try run(["env", "set", "edge", "--strategy", "canary", "--approval", "none"]).status == 0)
        let made = try run(["tokens", "create", "--ttl", "1h", "--environment", "edge"])
        let token = try #require(made.standardOutput.split(separator: "\n").first { $0.hasPrefix("token:") })
            .dropFirst("token:".count).trimmingCharacters(in: .whitespaces)
        let pin = try #require(made.standardOutput.split(separator: "\n").first { $0.hasPrefix("ca-hash:") })
            .dropFirst("ca-hash:".count).trimmingCharacters(in: .whitespaces)
        let tls = TemporaryDirectory()
        let refused = try ExternalCommand.run([HotSwapBinary.path, "agent", "--name", "edge-1", "--coordinators",
                                               "127.0.0.1:\(coordinator.agentPort)", "--tls-dir", tls.file("tls"),
                                               "--data-dir", tls.file("data"), "--join-token", token, "--ca-hash", pin])
        #expect(refused.status == 1 && refused.standardError.contains("join_token_refused"), "\(refused.combined)")
        #expect(!FileManager.default.fileExists(atPath: tls.file("tls") + "/edge-1.key"))
        let listed = try run(["tokens", "list"])
        #expect(listed.standardOutput.split(separator: "\n").contains { $0.hasPrefix(String(token.prefix(12))) }, "\(listed.combined)")
    }

    /// With `--signing-key` a certificate is asked for, not demanded: a foreign one is still refused at the handshake
    /// (an agent's is taken: the enrolled agent above reports), and a client without one that sends anything but an
    /// enrollment request is closed, counted.
    @Test func anEnrollingAgentPortStillVerifiesCertificatesAndTakesOnlyEnrollmentWithoutOne() throws {
        try Prerequisite.requireTools("openssl")
        let certificates = try CertificateFixture()
        let coordinator = try Self.enrollingCoordinator(certificates)
        let foreign = try SClient.ping(port: coordinator.agentPort, ca: certificates.ca,
                                       certificate: certificates.foreign.file("node-1.pem"), key: certificates.foreign.file("node-1.key"))
        #expect(!foreign.gotPong && foreign.output.standardError.contains("alert"), "\(foreign.output.combined)")
        let anonymous = try SClient.ping(port: coordinator.agentPort, ca: certificates.ca)
        #expect(!anonymous.gotPong, "\(anonymous.output.combined)")
        #expect(eventually {
            (try? coordinator.request("GET", "/metrics"))?.body.contains("hotswap_enrollment_frames_refused_total 1") == true
        })
        #expect(coordinator.log.text.contains("may send one enrollment request and nothing else"))
    }

    @Test func aSigningKeyOthersMayReadStopsTheStart() throws {
        let certificates = try CertificateFixture(agents: [])
        #expect(chmod(certificates.tlsDirectory + "/ca.key", 0o644) == 0)
        #expect {
            _ = try CoordinatorProcess(tlsDirectory: certificates.tlsDirectory,
                                       extraArguments: ["--signing-key", certificates.tlsDirectory + "/ca.key"])
        } throws: { error in
            "\(error)".contains("has mode 644")
        }
    }

    static func enrollingCoordinator(_ certificates: CertificateFixture) throws -> CoordinatorProcess {
        let key = certificates.tlsDirectory + "/ca.key"
        #expect(chmod(key, 0o440) == 0)
        return try CoordinatorProcess(tlsDirectory: certificates.tlsDirectory, extraArguments: ["--signing-key", key])
    }

    /// A token of `uses` enrollments, made through the CLI, and the CA hash it printed.
    static func makeToken(uses: Int, on coordinator: CoordinatorProcess,
                          _ certificates: CertificateFixture) throws -> (token: String, pin: String) {
        let made = try EnvironmentCommandTests.hotswap(["tokens", "create", "--ttl", "1h", "--uses", "\(uses)"],
                                                       on: coordinator, ca: certificates.ca)
        #expect(made.status == 0, "\(made.combined)")
        var fields: [String: String] = [:]
        for line in made.standardOutput.split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            fields[String(line[..<colon])] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return (try #require(fields["token"]), try #require(fields["ca-hash"]))
    }

    static func mode(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.posixPermissions] as? Int) ?? -1
    }
}
