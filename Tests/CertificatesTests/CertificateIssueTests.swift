import COpenSSL
import Foundation
import Testing

@testable import Certificates
import TestSupport

@Suite struct CertificateIssueTests {
    /// The extended key usages `openssl x509 -ext extendedKeyUsage` prints for each role.
    static let expectedUsages: [NodeRole: String] = [
        .coordinator: "TLS Web Server Authentication, TLS Web Client Authentication",
        .agent: "TLS Web Client Authentication",
        .operator: "TLS Web Client Authentication",
    ]

    @Test(arguments: NodeRole.allCases)
    func issuedCertificateVerifiesWithOpenSSLAndCarriesRoleAndUsages(role: NodeRole) throws {
        let directory = TemporaryDirectory()
        let ca = try CertificateAuthority.initialize(directory: directory.path)
        let paths = try CertificateAuthority.issue(
            directory: directory.path, identity: NodeIdentity(role: role, name: "node-7"),
            ipAddresses: ["10.1.2.3"], dnsNames: ["node-7.internal"])
        #expect(paths == CertificatePaths(certificate: directory.file("node-7.pem"), privateKey: directory.file("node-7.key")))
        #expect(directory.mode("node-7.pem") == 0o644)
        #expect(directory.mode("node-7.key") == 0o600)

        let verify = try OpenSSLCommand.run(["verify", "-x509_strict", "-CAfile", ca.certificate, paths.certificate])
        #expect(verify.status == 0, "\(verify.output)\(verify.errorOutput)")
        let sans = try OpenSSLCommand.run(["x509", "-noout", "-ext", "subjectAltName", "-in", paths.certificate])
        #expect(sans.output.contains("URI:hotswap://\(role.rawValue)/node-7, DNS:node-7.internal, IP Address:10.1.2.3"))
        let usages = try OpenSSLCommand.run(["x509", "-noout", "-ext", "extendedKeyUsage", "-in", paths.certificate])
        #expect(usages.output.contains("X509v3 Extended Key Usage: \n    \(Self.expectedUsages[role] ?? "")\n"))
        let subject = try OpenSSLCommand.run(["x509", "-noout", "-subject", "-in", paths.certificate])
        #expect(subject.output == "subject=CN = node-7\n")
    }

    @Test func onlyCoordinatorCertificatesAreAcceptedForServing() throws {
        let directory = TemporaryDirectory()
        let ca = try CertificateAuthority.initialize(directory: directory.path)
        for role in NodeRole.allCases {
            let paths = try CertificateAuthority.issue(
                directory: directory.path, identity: NodeIdentity(role: role, name: role.rawValue),
                ipAddresses: [], dnsNames: [])
            let server = try OpenSSLCommand.run(
                ["verify", "-purpose", "sslserver", "-CAfile", ca.certificate, paths.certificate])
            let client = try OpenSSLCommand.run(
                ["verify", "-purpose", "sslclient", "-CAfile", ca.certificate, paths.certificate])
            #expect((server.status == 0) == (role == .coordinator), "\(role)")
            #expect(client.status == 0, "\(role)")
        }
    }

    @Test func leafCertificateIsNotACAAndOnlySigns() throws {
        let directory = TemporaryDirectory()
        _ = try CertificateAuthority.initialize(directory: directory.path)
        let paths = try CertificateAuthority.issue(
            directory: directory.path, identity: NodeIdentity(role: .agent, name: "a1"), ipAddresses: [], dnsNames: [])
        let text = try OpenSSLCommand.run(["x509", "-noout", "-text", "-in", paths.certificate])
        #expect(text.output.contains("X509v3 Basic Constraints: critical\n                CA:FALSE"))
        #expect(text.output.contains("X509v3 Key Usage: critical\n                Digital Signature\n"))
        #expect(text.output.contains("X509v3 Authority Key Identifier"))
        #expect(text.output.contains("X509v3 Subject Key Identifier"))
    }

    @Test func coordinatorWithoutAddressesGetsLoopbackDefaults() throws {
        let directory = TemporaryDirectory()
        _ = try CertificateAuthority.initialize(directory: directory.path)
        let coordinator = try CertificateAuthority.issue(
            directory: directory.path, identity: NodeIdentity(role: .coordinator, name: "c1"),
            ipAddresses: [], dnsNames: [])
        let agent = try CertificateAuthority.issue(
            directory: directory.path, identity: NodeIdentity(role: .agent, name: "a1"), ipAddresses: [], dnsNames: [])
        #expect(try CertificateInfo.load(path: coordinator.certificate).sans
            == ["URI:hotswap://coordinator/c1", "DNS:localhost", "IP:127.0.0.1", "IP:::1"])
        #expect(try CertificateInfo.load(path: agent.certificate).sans == ["URI:hotswap://agent/a1"])
    }

    @Test func certificateInfoReadsIdentityNameDatesAndSANs() throws {
        let directory = TemporaryDirectory()
        _ = try CertificateAuthority.initialize(directory: directory.path)
        let before = Int64(Date().timeIntervalSince1970)
        let paths = try CertificateAuthority.issue(
            directory: directory.path, identity: NodeIdentity(role: .operator, name: "ops"),
            ipAddresses: ["fd00::5"], dnsNames: ["ops.example"], validityDays: 30)
        let info = try CertificateInfo.load(path: paths.certificate)
        #expect(info.identity == (try NodeIdentity(role: .operator, name: "ops")))
        #expect(info.subjectCommonName == "ops")
        #expect(info.sans == ["URI:hotswap://operator/ops", "DNS:ops.example", "IP:fd00::5"])
        #expect(info.notBefore >= before - 300 - 2 && info.notBefore <= before - 300 + 60)
        #expect(info.notAfter - info.notBefore == 30 * 86_400 + 300)
    }

    @Test func identityIsReadFromAnInMemoryCertificate() throws {
        let directory = TemporaryDirectory()
        _ = try CertificateAuthority.initialize(directory: directory.path)
        let paths = try CertificateAuthority.issue(
            directory: directory.path, identity: NodeIdentity(role: .coordinator, name: "c9"),
            ipAddresses: [], dnsNames: [])
        let pem = try #require(directory.contents("c9.pem"))
        let certificate = try #require(pem.withUnsafeBytes { buffer -> OpaquePointer? in
            let bio = BIO_new_mem_buf(buffer.baseAddress, Int32(buffer.count))
            defer { BIO_free(bio) }
            return PEM_read_bio_X509(bio, nil, nil, nil)
        })
        defer { X509_free(certificate) }
        #expect(NodeIdentity.identity(ofCertificate: certificate) == (try NodeIdentity(role: .coordinator, name: "c9")))
        _ = paths
    }

    @Test func issueRefusesToOverwriteAnExistingCertificate() throws {
        let directory = TemporaryDirectory()
        _ = try CertificateAuthority.initialize(directory: directory.path)
        let identity = try NodeIdentity(role: .agent, name: "a1")
        _ = try CertificateAuthority.issue(directory: directory.path, identity: identity, ipAddresses: [], dnsNames: [])
        let before = directory.contents("a1.key")
        #expect(throws: CertificateError.fileExists(directory.file("a1.pem"))) {
            try CertificateAuthority.issue(directory: directory.path, identity: identity, ipAddresses: [], dnsNames: [])
        }
        #expect(directory.contents("a1.key") == before)
    }

    @Test(arguments: ["300.1.1.1", "1.2.3", "localhost", "::1%lo", "[::1]", "10.0.0.1,DNS:evil", ""])
    func invalidIPAddressIsRejectedAndNothingIsWritten(address: String) throws {
        let directory = TemporaryDirectory()
        _ = try CertificateAuthority.initialize(directory: directory.path)
        #expect(throws: CertificateError.invalidIPAddress(address)) {
            try CertificateAuthority.issue(
                directory: directory.path, identity: NodeIdentity(role: .agent, name: "a1"),
                ipAddresses: [address], dnsNames: [])
        }
        #expect(directory.mode("a1.pem") == nil && directory.mode("a1.key") == nil)
    }

    @Test(arguments: ["", "a,IP:1.2.3.4", "-a.example", "a..b", "a_b.example", "*.example", "a.example."])
    func invalidDNSNameIsRejected(name: String) throws {
        let directory = TemporaryDirectory()
        _ = try CertificateAuthority.initialize(directory: directory.path)
        #expect(throws: CertificateError.invalidDNSName(name)) {
            try CertificateAuthority.issue(
                directory: directory.path, identity: NodeIdentity(role: .agent, name: "a1"),
                ipAddresses: [], dnsNames: [name])
        }
    }

    @Test func emptyValidityWindowIsRejected() throws {
        let directory = TemporaryDirectory()
        _ = try CertificateAuthority.initialize(directory: directory.path)
        let identity = try NodeIdentity(role: .agent, name: "a1")
        #expect(throws: CertificateError.self) {
            try CertificateAuthority.issue(
                directory: directory.path, identity: identity, ipAddresses: [], dnsNames: [], validityDays: 0)
        }
        #expect(throws: CertificateError.self) {
            try CertificateAuthority.issue(
                directory: directory.path, identity: identity, ipAddresses: [], dnsNames: [],
                notBefore: 2_000_000_000, notAfter: 2_000_000_000)
        }
        #expect(directory.mode("a1.pem") == nil)
    }
}
