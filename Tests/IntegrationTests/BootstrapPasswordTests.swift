import Foundation
import Testing
import TestSupport

/// `hotswap coordinator`'s first-admin password (Docs/ACCESS.md): a coordinator founding a new
/// cluster needs one that passes the policy, from a private file or the environment but not
/// both; a restart needs none. Refusals are usage errors (exit 2) that never show the password.
struct BootstrapPasswordTests {
    let secrets = TemporaryDirectory()
    let data = TemporaryDirectory()

    /// What a coordinator that took the password says next, given `arguments`' TLS directory.
    private static let missingTLS = "/nonexistent/tls/c1.pem does not exist"

    private static func arguments(data: String) -> [String] {
        ["coordinator", "--name", "c1", "--data-dir", data, "--tls-dir", "/nonexistent/tls",
         "--peer-addr", "127.0.0.1:7001", "--agent-addr", "127.0.0.1:0", "--api-addr", "127.0.0.1:0"]
    }

    private func start(_ flags: [String], environment: [String: String] = [:]) throws -> ExternalCommand.Output {
        try ExternalCommand.run([HotSwapBinary.path] + Self.arguments(data: data.path) + flags, environment: environment)
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

    @Test func aFileOpenToOthersOrWritableByItsGroupOrTwoSourcesAreRefused() throws {
        let open = try TestCredentials.writePasswordFile(in: secrets, mode: 0o604)
        let readable = try start(["--bootstrap-admin-password-file", open])
        #expect(readable.status == 2)
        #expect(readable.standardError.contains("is open to others (mode 604); chmod 600 it"),
                "\(readable.combined)")
        #expect(chmod(open, 0o660) == 0)
        let writable = try start(["--bootstrap-admin-password-file", open])
        #expect(writable.status == 2)
        #expect(writable.standardError.contains("is writable by its group (mode 660); chmod 600 it"), "\(writable.combined)")
        // Kept in a variable: the directory is removed when it is released.
        let other = TemporaryDirectory()
        let file = try TestCredentials.writePasswordFile(in: other)
        let both = try start(["--bootstrap-admin-password-file", file],
                             environment: ["HOTSWAP_BOOTSTRAP_ADMIN_PASSWORD": TestCredentials.adminPassword])
        #expect(both.status == 2)
        #expect(both.standardError.contains("not both"), "\(both.combined)")
    }

    /// A FIFO would block `open` until a writer came, and then `read`: it is opened non-blocking and
    /// refused by its type, at once (a hang here overruns `ExternalCommand`'s timeout).
    @Test func aFIFOIsRefusedAtOnceNotWaitedOn() throws {
        let fifo = secrets.file("admin-password")
        #expect(mkfifo(fifo, 0o600) == 0)
        let output = try start(["--bootstrap-admin-password-file", fifo])
        #expect(output.status == 2, "\(output.combined)")
        #expect(output.standardError.contains("\(fifo) is not a regular file"), "\(output.combined)")
    }

    /// Group read is for a group of the coordinator's own: a file of a group it is not in is there
    /// for someone else to read.
    @Test func aFileReadableByAGroupThisProcessIsNotInIsRefused() throws {
        try Prerequisite.require(geteuid() == 0, "giving a file a group this process is not in needs root")
        let file = try TestCredentials.writePasswordFile(in: secrets, mode: 0o640)
        #expect(chown(file, 0, 65_534) == 0)
        let output = try start(["--bootstrap-admin-password-file", file])
        #expect(output.status == 2, "\(output.combined)")
        #expect(output.standardError.contains("\(file) is readable by group 65534, which this process (uid 0) is not in"),
                "\(output.combined)")
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
        // Group-readable, as a Secret volume's `defaultMode: 0440` with an `fsGroup` makes it.
        try FileManager.default.setAttributes([.posixPermissions: 0o640], ofItemAtPath: target)
        let certificates = try CertificateFixture()
        let coordinator = try CoordinatorProcess(tlsDirectory: certificates.tlsDirectory,
                                                 extraArguments: ["--bootstrap-admin-password-file", link], bootstrapPassword: false)
        _ = try coordinator.adminToken()
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: target)
        let readable = try start(["--bootstrap-admin-password-file", link])
        #expect(readable.status == 2)
        #expect(readable.standardError.contains("\(link) is open to others (mode 644)"), "\(readable.combined)")
    }

    @Test func aSymbolicLinkToAnotherUsersFileIsRefused() throws {
        try Prerequisite.require(geteuid() == 0, "giving a file to another user needs root")
        let (link, target) = try Self.secretVolume(secrets)
        #expect(chown(target, 65_534, gid_t.max) == 0)
        let foreign = try start(["--bootstrap-admin-password-file", link])
        #expect(foreign.status == 2)
        #expect(foreign.standardError.contains("\(link) is owned by uid 65534, neither this user (0) nor root"), "\(foreign.combined)")
        #expect(!foreign.combined.contains(TestCredentials.adminPassword))
    }

    /// A Kubernetes Secret volume as a pod running as uid 65534 with `fsGroup: 65534` sees it: root's
    /// file, mode 0440, group 65534. The coordinator, run as that user, takes the password and goes
    /// on to what comes after it (here the missing TLS directory).
    @Test func aRootOwnedGroupReadableFileIsTakenByAnotherUser() throws {
        try Prerequisite.require(geteuid() == 0, "a root-owned file read by another user needs root to make")
        let (link, target) = try Self.secretVolume(secrets)
        #expect(chown(target, 0, 65_534) == 0)
        #expect(chmod(target, 0o440) == 0)
        #expect(chmod(secrets.path, 0o755) == 0)
        #expect(chown(data.path, 65_534, 65_534) == 0)
        let asNobody = try ExternalCommand.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--",
                                                HotSwapBinary.path] + Self.arguments(data: data.path)
                                                + ["--bootstrap-admin-password-file", link])
        #expect(asNobody.status != 0)
        #expect(!asNobody.standardError.contains("--bootstrap-admin-password-file"), "\(asNobody.combined)")
        #expect(asNobody.standardError.contains(Self.missingTLS), "\(asNobody.combined)")
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
