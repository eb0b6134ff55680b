import Testing

@testable import Certificates

@Suite struct CertificateErrorTests {
    static let path = "/etc/hotswap/node.pem"

    static let fileErrors: [CertificateError] = [
        .fileExists(path), .fileMissing(path), .unreadable(path, reason: "Permission denied"),
        .unwritable(path, reason: "No space left on device"), .notSignedByCA(path, reason: "bad signature"),
        .expired(path, notAfter: "2001-09-09 01:46:40 UTC"), .notYetValid(path, notBefore: "2100-01-01 00:00:00 UTC"),
        .wrongRole(path, expected: .coordinator, found: "agent"), .wrongName(path, expected: "c2", found: "c1"),
        .missingIdentity(path), .keyMismatch(certificatePath: path, keyPath: "/etc/hotswap/node.key"),
    ]

    @Test(arguments: fileErrors)
    func everyFileErrorNamesTheFileInOneSentence(error: CertificateError) {
        #expect(error.description.contains(Self.path))
        #expect(error.description.hasSuffix("."))
        #expect(!error.description.contains("\n"))
    }

    @Test func dateErrorsCarryTheDate() {
        #expect(CertificateError.expired(Self.path, notAfter: "2001-09-09 01:46:40 UTC").description
            .contains("expired at 2001-09-09 01:46:40 UTC"))
        #expect(CertificateError.notYetValid(Self.path, notBefore: "2100-01-01 00:00:00 UTC").description
            .contains("not valid until 2100-01-01 00:00:00 UTC"))
    }

    @Test func openSSLFailureNamesTheOperationAndTheQueue() {
        let error = CertificateError.openSSL(operation: "sign the certificate", detail: "error:1E08010C:DECODER")
        #expect(error.description == "OpenSSL failed to sign the certificate: error:1E08010C:DECODER.")
    }
}
