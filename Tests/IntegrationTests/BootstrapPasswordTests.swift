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

    /// A Kubernetes Secret volume's layout in `volume`: `admin-password` is a link into `..data/`,
    /// itself a link to a dated directory holding the file (mode 0600); the link and the file.
    private static func secretVolume(_ volume: TemporaryDirectory) throws -> (link: String, target: String) {
        try FileManager.default.createDirectory(atPath: volume.file("..2025_01_01"), withIntermediateDirectories: false)
        let target = volume.file("..2025_01_01/admin-password")
        try Data((TestCredentials.adminPassword + "\n").utf8).write(to: URL(fileURLWithPath: target))
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: target)
        try FileManager.default.createSymbolicLink(atPath: volume.file("..data"), withDestinationPath: "..2025_01_01")
        let link = volume.file("admin-password")
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: "..data/admin-password")
        return (link, target)
    }

    @Test func aSymbolicLinkIsFollowedAndItsTargetChecked() throws {
        let (link, target) = try Self.secretVolume(secrets)
        let certificates = try CertificateFixture()
        let coordinator = try CoordinatorProcess(tlsDirectory: certificates.tlsDirectory,
                                                 extraArguments: ["--bootstrap-admin-password-file", link], bootstrapPassword: false)
        _ = try coordinator.adminToken()
        try FileManager.default.setAttributes([.posixPermissions: 0o640], ofItemAtPath: target)
        let readable = try start(["--bootstrap-admin-password-file", link])
        #expect(readable.status == 2)
        #expect(readable.standardError.contains("\(link) is open to its group or others (mode 640)"), "\(readable.combined)")
    }

    @Test func aSymbolicLinkToAnotherUsersFileIsRefused() throws {
        try Prerequisite.require(geteuid() == 0, "giving a file to another user needs root")
        let (link, target) = try Self.secretVolume(secrets)
        #expect(chown(target, 65_534, gid_t.max) == 0)
        let foreign = try start(["--bootstrap-admin-password-file", link])
        #expect(foreign.status == 2)
        #expect(foreign.standardError.contains("\(link) is owned by uid 65534, not by this user"), "\(foreign.combined)")
        #expect(!foreign.combined.contains(TestCredentials.adminPassword))
    }

    @Test func thePasswordFromTheEnvironmentIsNotLeftInTheProcessEnvironment() throws {
        let certificates = try CertificateFixture()
        let coordinator = try CoordinatorProcess(tlsDirectory: certificates.tlsDirectory, bootstrapPassword: false,
                                                 environment: ["HOTSWAP_BOOTSTRAP_ADMIN_PASSWORD": TestCredentials.adminPassword])
        _ = try coordinator.adminToken()
        // What the kernel shows of the environment the process started with, not what libc keeps.
        let environ = try Data(contentsOf: URL(fileURLWithPath: "/proc/\(coordinator.pid)/environ"))
        #expect(environ.count > 0)
        #expect(environ.range(of: Data(TestCredentials.adminPassword.utf8)) == nil, "the password is readable in /proc/PID/environ")
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
