import Foundation
import Testing
import TestSupport

/// `hotswap coordinator`'s first-admin password (Docs/ACCESS.md): a coordinator founding a new
/// cluster needs one that passes the policy, from a private file or the environment but not
/// both; a restart needs none. Refusals are usage errors (exit 2) that never show the password.
struct BootstrapPasswordTests {
    let secrets = TemporaryDirectory()
    let data = TemporaryDirectory()

    private func start(_ flags: [String], environment: [String: String] = [:]) throws -> ExternalCommand.Output {
        try ExternalCommand.run([HotSwapBinary.path] + [
            "coordinator", "--name", "c1", "--data-dir", data.path, "--tls-dir", "/nonexistent/tls",
            "--peer-addr", "127.0.0.1:7001", "--agent-addr", "127.0.0.1:0", "--api-addr", "127.0.0.1:0",
        ] + flags, environment: environment)
    }

    @Test func foundingANewClusterNeedsThePassword() throws {
        let output = try start([])
        #expect(output.status == 2, "\(output.combined)")
        #expect(output.standardError.contains("a coordinator founding a new cluster needs the first admin's password: "
            + "--bootstrap-admin-password-file PATH (a file of mode 0600) or $HOTSWAP_BOOTSTRAP_ADMIN_PASSWORD"), "\(output.combined)")
    }

    @Test func aPasswordThePolicyRefusesIsNamedByItsRuleOnly() throws {
        let file = try TestCredentials.writePasswordFile(in: secrets, password: "changeme2024")
        let output = try start(["--bootstrap-admin-password-file", file])
        #expect(output.status == 2)
        #expect(output.standardError.contains("the bootstrap admin password is refused: the password is a well-known"),
                "\(output.combined)")
        #expect(!output.combined.contains("changeme2024"))
        let fromEnvironment = try start([], environment: ["HOTSWAP_BOOTSTRAP_ADMIN_PASSWORD": "short"])
        #expect(fromEnvironment.status == 2)
        #expect(fromEnvironment.standardError.contains("at least 12 bytes"), "\(fromEnvironment.combined)")
    }

    @Test func aReadableFileOrTwoSourcesAreRefused() throws {
        let open = try TestCredentials.writePasswordFile(in: secrets, mode: 0o644)
        let readable = try start(["--bootstrap-admin-password-file", open])
        #expect(readable.status == 2)
        #expect(readable.standardError.contains("is open to its group or others (mode 644); chmod 600 it"), "\(readable.combined)")
        // Kept in a variable: the directory is removed when it is released.
        let other = TemporaryDirectory()
        let file = try TestCredentials.writePasswordFile(in: other)
        let both = try start(["--bootstrap-admin-password-file", file],
                             environment: ["HOTSWAP_BOOTSTRAP_ADMIN_PASSWORD": TestCredentials.adminPassword])
        #expect(both.status == 2)
        #expect(both.standardError.contains("not both"), "\(both.combined)")
    }

    @Test func aSymbolicLinkIsRefused() throws {
        let file = try TestCredentials.writePasswordFile(in: secrets)
        let link = secrets.file("link")
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: file)
        let output = try start(["--bootstrap-admin-password-file", link])
        #expect(output.status == 2)
        #expect(output.standardError.contains("cannot read \(link)"), "\(output.combined)")
    }

    @Test func aFileEndingInCRLFLosesBoth() throws {
        let certificates = try CertificateFixture()
        let file = try TestCredentials.writePasswordFile(in: secrets, password: TestCredentials.adminPassword + "\r")
        let coordinator = try CoordinatorProcess(tlsDirectory: certificates.tlsDirectory,
                                                 extraArguments: ["--bootstrap-admin-password-file", file], bootstrapPassword: false)
        _ = try coordinator.adminToken()
    }

    @Test func aRestartNeedsNoPassword() throws {
        let certificates = try CertificateFixture()
        let data = TemporaryDirectory()
        let founder = try CoordinatorProcess(tlsDirectory: certificates.tlsDirectory, dataDirectory: data)
        _ = try founder.adminToken()
        #expect(founder.stop() == 0)
        let restarted = try CoordinatorProcess(tlsDirectory: certificates.tlsDirectory, dataDirectory: data, bootstrapPassword: false)
        #expect(try restarted.login(TestCredentials.adminName, TestCredentials.adminPassword).status == 200)
    }
}
