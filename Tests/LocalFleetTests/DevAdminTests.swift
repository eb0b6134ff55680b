import Access
import FileSystem
import Glibc
@testable import LocalFleet
import Testing
import TestSupport

/// `hotswap dev`'s first admin: a password drawn from the CSPRNG that passes the policy, kept
/// in DIR/admin-password (0600) and read back by a later run; a file others may read or one
/// holding a password the policy refuses stops dev with a message that never shows it.
struct DevAdminTests {
    @Test func aFreshDirectoryGetsAStrongPasswordInA0600FileThatALaterRunReads() throws {
        let scratch = TemporaryDirectory()
        defer { scratch.remove() }
        let layout = DevLayout(directory: scratch.path, agentCount: 0)
        let made = try DevAdmin.prepare(layout)
        #expect(made.isNew && made.passwordPath == scratch.file("admin-password"))
        #expect(made.password.utf8.count == DevAdmin.passwordLength)
        #expect(made.password.utf8.allSatisfy { DevAdmin.alphabet.contains($0) })
        try PasswordPolicy.check(made.password, userName: DevAdmin.user)
        var status = stat()
        #expect(stat(made.passwordPath, &status) == 0 && status.st_mode & 0o777 == 0o600)
        let bytes = try FileReader.read(made.passwordPath, maximumBytes: 100)
        #expect(String(decoding: bytes, as: UTF8.self) == made.password + "\n")

        let again = try DevAdmin.prepare(layout)
        #expect(!again.isNew && again.password == made.password)
    }

    @Test func drawsDifferEveryTimeAndAllPassThePolicy() throws {
        let drawn = try (0..<64).map { _ in try DevAdmin.draw() }
        #expect(Set(drawn).count == drawn.count)
        for password in drawn { try PasswordPolicy.check(password, userName: DevAdmin.user) }
    }

    @Test func aFileOthersMayReadOrAPasswordThePolicyRefusesStopsDev() throws {
        let scratch = TemporaryDirectory()
        defer { scratch.remove() }
        let layout = DevLayout(directory: scratch.path, agentCount: 0)
        try AtomicWrite.replace(layout.adminPasswordPath, with: Array("Dev-fleet-pass-8842\n".utf8), mode: 0o644)
        expectRefusal(of: layout, saying: "is open to its group or others (mode 644); chmod 600 it")
        try AtomicWrite.replace(layout.adminPasswordPath, with: Array("changeme\n".utf8), mode: 0o600)
        expectRefusal(of: layout, saying: "is refused: the password must be at least 12 bytes long", never: "changeme")
    }

    private func expectRefusal(of layout: DevLayout, saying text: String, never secret: String? = nil) {
        do {
            _ = try DevAdmin.prepare(layout)
            Issue.record("dev used \(layout.adminPasswordPath), expected: \(text)")
        } catch {
            #expect(error.description.contains(text), "\(error)")
            if let secret { #expect(!error.description.contains(secret)) }
        }
    }
}
