import Certificates
@testable import Coordinator
import Foundation
import Testing
import TestSupport

/// The API port's trust generation moves when `ca.pem` trusts other certificates, and only then
/// (Docs/CERTIFICATES.md, "A new CA on the API port"): the same CAs written again, in another
/// order, with comments or line ends of another kind, keep it, so no client-certificate
/// connection is refused and no stream ended for a file only re-saved.
struct APITrustTests {
    /// The PEM text of two fresh CAs.
    static func authorities() throws -> (String, String) {
        let scratch = TemporaryDirectory()
        defer { scratch.remove() }
        let texts = try ["a", "b"].map { name in
            let paths = try CertificateAuthority.initialize(directory: scratch.file(name), commonName: "CA \(name)")
            return try String(contentsOfFile: paths.certificate, encoding: .utf8)
        }
        return (texts[0], texts[1])
    }

    @Test func theSameCertificatesWrittenAnotherWayKeepTheGeneration() throws {
        let (first, second) = try Self.authorities()
        let trust = APITrust(roots: Array((first + second).utf8))
        let rewritten = [
            second + first,
            "# the cluster CA, and the next one\n" + first + "\nsubject=CN = CA b\n" + second,
            (first + second).replacingOccurrences(of: "\n", with: "\r\n"),
            first + second + first,
        ]
        for text in rewritten {
            #expect(trust.generation(for: Array(text.utf8)) == 0, "\(text)")
        }
        trust.install(Array((second + "\n" + first).utf8), generation: 0)
        #expect(trust.generation(for: Array((first + second).utf8)) == 0, "what was installed trusts what the roots trusted")
    }

    /// A file with a block that does not parse loads in no context; it is compared byte for byte.
    @Test func aFileThatDoesNotParseIsComparedByItsBytes() throws {
        let (first, _) = try Self.authorities()
        let broken = first + "-----BEGIN CERTIFICATE-----\nnot a certificate\n-----END CERTIFICATE-----\n"
        #expect(APITrust.Roots(Array(broken.utf8)) == .unparsed(Array(broken.utf8)))
        let trust = APITrust(roots: Array(broken.utf8))
        #expect(trust.generation(for: Array(broken.utf8)) == 0)
        #expect(trust.generation(for: Array(broken.replacingOccurrences(of: "\n", with: "\r\n").utf8)) == 1)
        #expect(trust.generation(for: Array(first.utf8)) == 1)
    }

    @Test func anotherSetOfCertificatesMovesTheGeneration() throws {
        let (first, second) = try Self.authorities()
        let trust = APITrust(roots: Array(first.utf8))
        let bundle = Array((first + second).utf8)
        #expect(trust.generation(for: bundle) == 1)
        trust.install(bundle, generation: 1)
        #expect(trust.generation(for: Array(second.utf8)) == 2)
        #expect(trust.generation(for: Array((second + first).utf8)) == 1)
    }
}
