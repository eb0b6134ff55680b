import Foundation
import Testing

@testable import Certificates
import TestSupport

@Suite struct CertificateAuthorityTests {
    @Test func initializeWritesCertificateAndKeyWithExactModes() throws {
        let directory = TemporaryDirectory()
        let paths = try CertificateAuthority.initialize(directory: directory.path)
        #expect(paths.certificate == directory.file("ca.pem"))
        #expect(paths.privateKey == directory.file("ca.key"))
        #expect(directory.mode("ca.pem") == 0o644)
        #expect(directory.mode("ca.key") == 0o600)
        let text = try OpenSSLCommand.run(["x509", "-noout", "-text", "-in", paths.certificate])
        #expect(text.status == 0)
        #expect(text.output.contains("Subject: CN = HotSwap cluster CA"))
        #expect(text.output.contains("Version: 3 (0x2)"))
        #expect(text.output.contains("ecdsa-with-SHA256"))
        #expect(text.output.contains("X509v3 Basic Constraints: critical\n                CA:TRUE, pathlen:0"))
        #expect(text.output.contains("X509v3 Key Usage: critical\n                Certificate Sign, CRL Sign"))
        #expect(text.output.contains("X509v3 Subject Key Identifier"))
    }

    @Test func initializeCreatesAMissingDirectoryWithMode0700() throws {
        let parent = TemporaryDirectory()
        _ = try CertificateAuthority.initialize(directory: parent.file("ca-dir"))
        #expect(parent.mode("ca-dir") == 0o700)
        #expect(parent.mode("ca-dir/ca.key") == 0o600)
    }

    @Test func initializeReportsAMissingParentDirectoryAsUnwritable() throws {
        let parent = TemporaryDirectory()
        defer { parent.remove() }
        let directory = parent.file("absent/ca-dir")
        #expect(throws: CertificateError.unwritable(directory, reason: "No such file or directory")) {
            try CertificateAuthority.initialize(directory: directory)
        }
    }

    @Test func secondInitializeIsRefusedAndLeavesTheFirstCAIntact() throws {
        let directory = TemporaryDirectory()
        _ = try CertificateAuthority.initialize(directory: directory.path)
        let before = directory.contents("ca.key")
        #expect(throws: CertificateError.fileExists(directory.file("ca.pem"))) {
            try CertificateAuthority.initialize(directory: directory.path)
        }
        #expect(directory.contents("ca.key") == before)
    }

    @Test func initializeIsRefusedWhenOnlyTheKeyExists() throws {
        let directory = TemporaryDirectory()
        try directory.write("ca.key", "keep me")
        #expect(throws: CertificateError.fileExists(directory.file("ca.key"))) {
            try CertificateAuthority.initialize(directory: directory.path)
        }
        #expect(directory.contents("ca.key") == Data("keep me".utf8))
        #expect(directory.mode("ca.pem") == nil)
    }

    @Test func privateKeyIsUnencryptedPKCS8OnP256() throws {
        let directory = TemporaryDirectory()
        let paths = try CertificateAuthority.initialize(directory: directory.path)
        let pem = String(decoding: directory.contents("ca.key") ?? Data(), as: UTF8.self)
        #expect(pem.hasPrefix("-----BEGIN PRIVATE KEY-----\n"))
        let key = try OpenSSLCommand.run(["pkey", "-noout", "-text", "-in", paths.privateKey])
        #expect(key.status == 0)
        #expect(key.output.contains("ASN1 OID: prime256v1"))
    }

    @Test func serialNumbersAreRandomPositiveAnd127BitsLong() throws {
        let directory = TemporaryDirectory()
        _ = try CertificateAuthority.initialize(directory: directory.path)
        var serials: Set<String> = []
        for name in ["s1", "s2"] {
            let paths = try CertificateAuthority.issue(
                directory: directory.path, identity: NodeIdentity(role: .agent, name: name),
                ipAddresses: [], dnsNames: [])
            let result = try OpenSSLCommand.run(["x509", "-noout", "-serial", "-in", paths.certificate])
            let serial = result.output.trimmingCharacters(in: .whitespacesAndNewlines)
                .replacingOccurrences(of: "serial=", with: "")
            #expect(serial.count == 32)
            #expect("4567".contains(serial.first ?? "x"))
            serials.insert(serial)
        }
        #expect(serials.count == 2)
    }

    @Test func invalidCommonNameAndValidityAreRejectedBeforeWriting() throws {
        let directory = TemporaryDirectory()
        #expect(throws: CertificateError.invalidCommonName("")) {
            try CertificateAuthority.initialize(directory: directory.path, commonName: "")
        }
        #expect(throws: CertificateError.self) {
            try CertificateAuthority.initialize(directory: directory.path, validityDays: 0)
        }
        #expect(directory.mode("ca.pem") == nil)
    }

    @Test func issueWithoutACAReportsTheMissingCAFile() throws {
        let directory = TemporaryDirectory()
        #expect(throws: CertificateError.fileMissing(directory.file("ca.pem"))) {
            try CertificateAuthority.issue(
                directory: directory.path, identity: NodeIdentity(role: .agent, name: "a1"),
                ipAddresses: [], dnsNames: [])
        }
        #expect(directory.mode("a1.key") == nil)
    }
}
