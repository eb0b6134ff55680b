import Foundation
import Testing

@testable import Agent
import TestSupport

/// A crash at any point of writing a new key and certificate leaves, after the start's recovery,
/// a pair that belongs together: the old one or the new one.
@Suite struct AgentCredentialsTests {
    static func configuration(_ directory: TemporaryDirectory) -> AgentConfiguration {
        AgentConfiguration(name: "node-1", coordinators: [], tlsDirectory: directory.path, dataDirectory: directory.path)
    }

    static func read(_ path: String) -> String? {
        FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) }
    }

    static func write(_ text: String, to path: String) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    }

    /// The current pair "old", and what a crash left of writing the pair "new".
    static func crashed(leaving files: [String], in directory: TemporaryDirectory) throws -> AgentConfiguration {
        let configuration = configuration(directory)
        try Self.write("old", to: directory.file("node-1.key"))
        try Self.write("old", to: directory.file("node-1.pem"))
        for file in files { try Self.write("new", to: directory.file(file)) }
        return configuration
    }

    @Test func installReplacesBothAndLeavesNothingBehind() throws {
        let directory = TemporaryDirectory()
        let configuration = try Self.crashed(leaving: [], in: directory)
        try AgentCredentials.install(configuration, key: Array("new".utf8), certificate: Array("new".utf8))
        #expect(Self.read(configuration.privateKeyPath) == "new")
        #expect(Self.read(configuration.certificatePath) == "new")
        #expect(try AgentCredentials.recover(configuration) == nil)
        let mode = try FileManager.default.attributesOfItem(atPath: configuration.privateKeyPath)[.posixPermissions] as? Int
        #expect(mode == 0o600)
    }

    /// Both new files written, no rename yet; or the key renamed and the certificate not: the new pair wins.
    @Test(arguments: [["node-1.key.next", "node-1.pem.next"], ["node-1.pem.next"]])
    func aWrittenCertificateCompletesTheInstallation(left: [String]) throws {
        let directory = TemporaryDirectory()
        let configuration = try Self.crashed(leaving: left, in: directory)
        if left.count == 1 { try Self.write("new", to: directory.file("node-1.key")) }
        #expect(try AgentCredentials.recover(configuration) != nil)
        #expect(Self.read(configuration.privateKeyPath) == "new")
        #expect(Self.read(configuration.certificatePath) == "new")
        #expect(!FileManager.default.fileExists(atPath: AgentCredentials.nextCertificatePath(configuration)))
        #expect(!FileManager.default.fileExists(atPath: AgentCredentials.nextKeyPath(configuration)))
    }

    /// Only the new key was written: the certificate for it never was, so the old pair stays.
    @Test func aKeyWithoutItsCertificateIsRemoved() throws {
        let directory = TemporaryDirectory()
        let configuration = try Self.crashed(leaving: ["node-1.key.next"], in: directory)
        #expect(try AgentCredentials.recover(configuration) != nil)
        #expect(Self.read(configuration.privateKeyPath) == "old")
        #expect(Self.read(configuration.certificatePath) == "old")
        #expect(!FileManager.default.fileExists(atPath: AgentCredentials.nextKeyPath(configuration)))
    }

    @Test func aMissingCAIsNilAndAPresentOneIsRead() throws {
        let directory = TemporaryDirectory()
        let configuration = Self.configuration(directory)
        #expect(try AgentCredentials.readAuthority(configuration) == nil)
        try Self.write("bundle", to: directory.file("ca.pem"))
        #expect(try AgentCredentials.readAuthority(configuration) == Array("bundle".utf8))
    }
}
