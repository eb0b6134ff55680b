import Certificates
import FileSystem
import Foundation
import Testing

@testable import Agent
import TestSupport

/// A crash at any point of writing a new key and certificate leaves, after the start's recovery,
/// a pair that belongs together: the old one or the new one. The pairs are real keys and
/// certificates, so a certificate left beside a key it is not of can be told apart.
@Suite struct AgentCredentialsTests {
    /// A key and its certificate.
    struct Pair {
        let key: String
        let certificate: String
    }

    let directory = TemporaryDirectory()
    let old: Pair
    let new: Pair
    /// A third pair, for an install retried after one that failed half-way.
    let third: Pair

    init() throws {
        let authority = TemporaryDirectory()
        _ = try CertificateAuthority.initialize(directory: authority.path)
        // Named apart only so the issuer does not refuse to overwrite; what matters is two keys.
        func issue(_ name: String) throws -> Pair {
            let paths = try CertificateAuthority.issue(directory: authority.path, identity: NodeIdentity(role: .agent, name: name),
                                                       ipAddresses: [], dnsNames: [])
            return Pair(key: try #require(Self.read(paths.privateKey)), certificate: try #require(Self.read(paths.certificate)))
        }
        old = try issue("node-1")
        new = try issue("node-2")
        third = try issue("node-3")
    }

    static func configuration(_ directory: TemporaryDirectory) -> AgentConfiguration {
        AgentConfiguration(name: "node-1", coordinators: [], tlsDirectory: directory.path, dataDirectory: directory.path)
    }

    static func read(_ path: String) -> String? {
        FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) }
    }

    static func write(_ text: String, to path: String) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    }

    /// The current pair `old`, and what a crash left of writing `files` (name → content).
    func crashed(leaving files: [String: String]) throws -> AgentConfiguration {
        try Self.write(old.key, to: directory.file("node-1.key"))
        try Self.write(old.certificate, to: directory.file("node-1.pem"))
        for (file, text) in files { try Self.write(text, to: directory.file(file)) }
        return Self.configuration(directory)
    }

    func expectPair(_ pair: Pair, _ configuration: AgentConfiguration) {
        #expect(Self.read(configuration.privateKeyPath) == pair.key)
        #expect(Self.read(configuration.certificatePath) == pair.certificate)
        #expect(!FileManager.default.fileExists(atPath: AgentCredentials.nextCertificatePath(configuration)))
        #expect(!FileManager.default.fileExists(atPath: AgentCredentials.nextKeyPath(configuration)))
    }

    @Test func installReplacesBothAndLeavesNothingBehind() throws {
        let configuration = try crashed(leaving: [:])
        #expect(try AgentCredentials.install(configuration, key: Array(new.key.utf8), certificate: Array(new.certificate.utf8)) == nil)
        expectPair(new, configuration)
        #expect(try AgentCredentials.recover(configuration) == nil)
        let mode = try FileManager.default.attributesOfItem(atPath: configuration.privateKeyPath)[.posixPermissions] as? Int
        #expect(mode == 0o600)
    }

    /// A `.pem.next` left by an earlier attempt that is of no key here is removed before the new key is
    /// written: never paired with it. (One of the key in place would complete that installation instead.)
    @Test func installRemovesAStaleCertificateFirst() throws {
        let configuration = try crashed(leaving: ["node-1.pem.next": third.certificate])
        try AgentCredentials.install(configuration, key: Array(new.key.utf8), certificate: Array(new.certificate.utf8))
        expectPair(new, configuration)
        #expect(!FileManager.default.fileExists(atPath: directory.file("node-1.pem.next")))
    }

    /// Both new files written, no rename yet; or the key renamed and the certificate not: the new pair wins.
    @Test(arguments: [true, false])
    func aWrittenCertificateOfItsKeyCompletesTheInstallation(keyRenamed: Bool) throws {
        let configuration = try crashed(leaving: keyRenamed ? ["node-1.pem.next": new.certificate]
                                                            : ["node-1.key.next": new.key, "node-1.pem.next": new.certificate])
        if keyRenamed { try Self.write(new.key, to: directory.file("node-1.key")) }
        #expect(try AgentCredentials.recover(configuration)?.hasPrefix("completed") == true)
        expectPair(new, configuration)
    }

    /// A `.pem.next` that is not of the key it would be paired with is discarded: the current pair stays.
    @Test func aCertificateNotOfItsKeyIsDiscarded() throws {
        let configuration = try crashed(leaving: ["node-1.key.next": new.key, "node-1.pem.next": old.certificate])
        let recovered = try #require(try AgentCredentials.recover(configuration))
        #expect(recovered.hasPrefix("removed a new certificate that is not of its key"), "\(recovered)")
        expectPair(old, configuration)
        let alone = try crashed(leaving: ["node-1.pem.next": new.certificate])
        #expect(try AgentCredentials.recover(alone)?.hasPrefix("removed") == true)
        expectPair(old, alone)
    }

    /// Only the new key was written: the certificate for it never was, so the old pair stays.
    @Test func aKeyWithoutItsCertificateIsRemoved() throws {
        let configuration = try crashed(leaving: ["node-1.key.next": new.key])
        #expect(try AgentCredentials.recover(configuration) != nil)
        expectPair(old, configuration)
    }

    /// The key's rename succeeded and the certificate's failed, so `.pem.next` is the certificate of
    /// the key in place. A retried install finishes that rename before anything else: when the retry
    /// then fails too (its new key cannot be written), the pair in place still matches.
    @Test func aRetriedInstallFinishesACertificateRenameThatFailed() throws {
        let configuration = try crashed(leaving: [:])
        let failingCertificate: AgentCredentials.Renaming = { from, to in
            guard to != configuration.certificatePath else {
                errno = EIO
                return -1
            }
            return rename(from, to)
        }
        #expect(throws: FileError.self) {
            try AgentCredentials.install(configuration, key: Array(new.key.utf8), certificate: Array(new.certificate.utf8),
                                         renaming: failingCertificate)
        }
        #expect(Self.read(configuration.privateKeyPath) == new.key)
        #expect(Self.read(AgentCredentials.nextCertificatePath(configuration)) == new.certificate)
        // The retry's new key cannot be written: its temporary file's name is taken by a directory.
        let blocker = AgentCredentials.nextKeyPath(configuration) + ".\(getpid()).tmp"
        try FileManager.default.createDirectory(atPath: blocker, withIntermediateDirectories: false)
        #expect(throws: FileError.self) {
            try AgentCredentials.install(configuration, key: Array(third.key.utf8), certificate: Array(third.certificate.utf8))
        }
        try FileManager.default.removeItem(atPath: blocker)
        _ = try AgentCredentials.recover(configuration)
        expectPair(new, configuration)
    }

    @Test func aMissingCAIsNilAndAPresentOneIsRead() throws {
        let configuration = Self.configuration(directory)
        #expect(try AgentCredentials.readAuthority(configuration) == nil)
        try Self.write("bundle", to: directory.file("ca.pem"))
        #expect(try AgentCredentials.readAuthority(configuration) == Array("bundle".utf8))
    }
}
