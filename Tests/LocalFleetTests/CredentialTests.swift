import FileSystem
import Foundation
import Glibc
import Locking
import LocalFleet
import Testing
import TestSupport

/// Where the CLI's token comes from (`--token-file` > `HOTSWAP_TOKEN` > the stored login), how
/// the stored login is written (atomically, 0600 in a 0700 directory) and which files it refuses.
struct CredentialTests {
    static let stored = StoredLogin(token: "stored.token.sig", expiresAt: "2026-12-06T11:00:00Z", user: "alice")

    /// A scratch directory holding a token file and a stored login.
    static func fixture() throws -> (TemporaryDirectory, tokenFile: String, login: String) {
        let scratch = TemporaryDirectory()
        let tokenFile = scratch.file("token")
        try AtomicWrite.write(tokenFile, "file.token.sig\n")
        let login = scratch.file("config/hotswap/token.json")
        try stored.write(to: login)
        return (scratch, tokenFile, login)
    }

    @Test func theFlagWinsOverTheEnvironmentWhichWinsOverTheStoredLogin() throws {
        let (scratch, tokenFile, login) = try Self.fixture()
        defer { scratch.remove() }
        let flag = try APICredential.resolve(tokenFilePath: tokenFile, environmentToken: "env.token.sig", storedLoginPath: login)
        #expect(flag == APICredential(source: .tokenFile(tokenFile), token: "file.token.sig"))
        let environment = try APICredential.resolve(tokenFilePath: nil, environmentToken: "env.token.sig", storedLoginPath: login)
        #expect(environment == APICredential(source: .environment, token: "env.token.sig"))
        let file = try APICredential.resolve(tokenFilePath: nil, environmentToken: nil, storedLoginPath: login)
        #expect(file == APICredential(source: .storedLogin(login), token: "stored.token.sig", storedUser: "alice"))
        // An empty HOTSWAP_TOKEN is unset.
        #expect(try APICredential.resolve(tokenFilePath: nil, environmentToken: "", storedLoginPath: login).source == .storedLogin(login))
    }

    /// Flags outrank the environment, which outranks the stored login: a certificate replaces the
    /// stored login always, an environment token when given with `--cert`, and loses to a token of
    /// a higher level.
    @Test func aClientCertificateWinsOverTokensOfLowerLevelsOnly() throws {
        let (scratch, tokenFile, login) = try Self.fixture()
        defer { scratch.remove() }
        for level in [APICredential.Level.flag, .environment] {
            let certificate = try APICredential.resolve(tokenFilePath: nil, environmentToken: nil, storedLoginPath: login,
                                                        certificate: ("/etc/ops.pem", level))
            #expect(certificate == APICredential(source: .certificate("/etc/ops.pem"), token: nil))
            #expect(try APICredential.resolve(tokenFilePath: tokenFile, environmentToken: nil, storedLoginPath: login,
                                              certificate: ("/etc/ops.pem", level)).source == .tokenFile(tokenFile))
        }
        #expect(try APICredential.resolve(tokenFilePath: nil, environmentToken: "env.token.sig", storedLoginPath: login,
                                          certificate: ("/etc/ops.pem", .flag)).source == .certificate("/etc/ops.pem"))
        #expect(try APICredential.resolve(tokenFilePath: nil, environmentToken: "env.token.sig", storedLoginPath: login,
                                          certificate: ("/etc/ops.pem", .environment)).source == .environment)
    }

    @Test func noSourceMeansNoToken() throws {
        let scratch = TemporaryDirectory()
        defer { scratch.remove() }
        let none = try APICredential.resolve(tokenFilePath: nil, environmentToken: nil, storedLoginPath: scratch.file("absent.json"))
        #expect(none == APICredential(source: .none, token: nil))
        #expect(try APICredential.resolve(tokenFilePath: nil, environmentToken: nil, storedLoginPath: nil).token == nil)
    }

    @Test func anUnusableSourceIsAnErrorNotAFallThrough() throws {
        let (scratch, _, login) = try Self.fixture()
        defer { scratch.remove() }
        let missing = scratch.file("missing")
        #expect(throws: CredentialFailure("cannot read --token-file \(missing): No such file or directory",
                                          hint: "--token-file names a file holding a token")) {
            try APICredential.resolve(tokenFilePath: missing, environmentToken: "env.token.sig", storedLoginPath: login)
        }
    }

    /// A FIFO is refused at once, not opened blocking until someone writes it. Should the open
    /// block, a helper opens the FIFO's other end and closes it, which lets the read end with no
    /// token: the test then fails on the message instead of hanging.
    @Test func aTokenFileThatIsAFIFOIsRefusedWithoutWaiting() throws {
        let scratch = TemporaryDirectory()
        defer { scratch.remove() }
        let fifo = scratch.file("token.fifo")
        #expect(mkfifo(fifo, 0o600) == 0)
        let finished = Locked(false)
        let rescueEnded = DispatchSemaphore(value: 0)
        let rescue = Thread {
            while !finished.withLock({ $0 }) {
                let writer = open(fifo, O_WRONLY | O_NONBLOCK | O_CLOEXEC)
                if writer >= 0 { close(writer) }
                usleep(20_000)
            }
            rescueEnded.signal()
        }
        rescue.start()
        defer {
            finished.withLock { $0 = true }
            rescueEnded.wait()
        }
        #expect(throws: CredentialFailure("--token-file \(fifo) is a FIFO (a pipe), not a regular file: pipes and process "
                                              + "substitution are refused",
                                          hint: "put the token in a file, or give it as HOTSWAP_TOKEN=\"$(COMMAND)\"")) {
            try APICredential.resolve(tokenFilePath: fifo, environmentToken: nil, storedLoginPath: nil)
        }
    }

    @Test(arguments: ["two words", "line\nbreak", "tab\there", String(repeating: "x", count: 4097), "ünïcode"])
    func whatCannotBeATokenIsRefusedWithoutShowingIt(text: String) {
        do {
            try APICredential.check(token: text, from: "HOTSWAP_TOKEN")
            Issue.record("accepted \(text)")
        } catch {
            #expect(error.message.hasPrefix("HOTSWAP_TOKEN holds "), "\(error)")
            #expect(!error.description.contains(text), "\(error)")
        }
    }

    @Test func theStoredLoginRoundTripsWithMode0600InADirectoryMade0700() throws {
        let (scratch, _, login) = try Self.fixture()
        defer { scratch.remove() }
        #expect(try StoredLogin.read(login) == Self.stored)
        var status = stat()
        #expect(stat(login, &status) == 0 && status.st_mode & 0o7777 == 0o600)
        #expect(stat(scratch.file("config/hotswap"), &status) == 0 && status.st_mode & 0o7777 == 0o700)
        #expect(stat(scratch.file("config"), &status) == 0 && status.st_mode & 0o7777 == 0o700)
        let replacement = StoredLogin(token: "newer.token.sig", expiresAt: "2026-12-06T12:00:00Z", user: "bob")
        try replacement.write(to: login)
        #expect(try StoredLogin.read(login) == replacement)
        #expect(try StoredLogin.remove(login) && !StoredLogin.remove(login))
        #expect(try StoredLogin.read(login) == nil)
    }

    @Test(arguments: [0o644, 0o640, 0o604, 0o620, 0o602] as [mode_t])
    func aLoginOthersMayUseIsRefused(mode: mode_t) throws {
        let (scratch, _, login) = try Self.fixture()
        defer { scratch.remove() }
        #expect(chmod(login, mode) == 0)
        #expect(throws: CredentialFailure("the stored login \(login) may be used by other users (mode 0\(String(mode, radix: 8))); "
                                          + "its token is not used", hint: "run 'hotswap login' again, which writes it with mode 0600")) {
            try APICredential.resolve(tokenFilePath: nil, environmentToken: nil, storedLoginPath: login)
        }
    }

    @Test func aLoginAnotherUserOwnsIsRefused() throws {
        let (scratch, _, ownLogin) = try Self.fixture()
        defer { scratch.remove() }
        // Root gives its file away; anyone else reads a file root owns (ownership is checked first).
        let (login, owner): (String, uid_t) = geteuid() == 0 ? (ownLogin, 65_534) : ("/etc/passwd", 0)
        if geteuid() == 0 { #expect(chown(login, owner, gid_t.max) == 0) }
        #expect(throws: CredentialFailure("the stored login \(login) belongs to another user (uid \(owner)); its token is not used",
                                          hint: "remove it and run 'hotswap login' again")) {
            try StoredLogin.read(login)
        }
    }

    @Test func aLinkOrADirectoryInPlaceOfTheLoginIsRefused() throws {
        let (scratch, tokenFile, login) = try Self.fixture()
        defer { scratch.remove() }
        #expect(unlink(login) == 0 && symlink(tokenFile, login) == 0)
        #expect(throws: CredentialFailure.self) { try StoredLogin.read(login) }
        #expect(unlink(login) == 0 && mkdir(login, 0o700) == 0)
        defer { rmdir(login) }
        #expect(throws: CredentialFailure("the stored login \(login) is not a regular file",
                                          hint: "remove it and run 'hotswap login' again")) {
            try StoredLogin.read(login)
        }
    }

    @Test func aLoginThatIsNotOneIsRefused() throws {
        let (scratch, _, login) = try Self.fixture()
        defer { scratch.remove() }
        try AtomicWrite.write(login, "{\"token\": 1}")
        #expect(throws: CredentialFailure("the stored login \(login) is not one this hotswap can read",
                                          hint: "run 'hotswap login' again")) {
            try StoredLogin.read(login)
        }
    }

    @Test func theLoginIsKeptUnderXDGConfigHomeElseHome() {
        #expect(StoredLogin.path(configHome: "/x/config", home: "/home/a") == "/x/config/hotswap/token.json")
        #expect(StoredLogin.path(configHome: nil, home: "/home/a") == "/home/a/.config/hotswap/token.json")
        #expect(StoredLogin.path(configHome: "relative", home: "/home/a") == "/home/a/.config/hotswap/token.json")
        #expect(StoredLogin.path(configHome: nil, home: nil) == nil)
    }
}

extension AtomicWrite {
    /// `text` into `path` with mode 0600, as a test's setup.
    static func write(_ path: String, _ text: String) throws {
        try replace(path, with: Array(text.utf8), mode: 0o600)
    }
}
