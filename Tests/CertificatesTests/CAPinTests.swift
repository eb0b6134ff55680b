import Foundation
import Testing

@testable import Certificates
import TestSupport

@Suite struct CAPinTests {
    static let digits = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
    static let short = String(digits.dropLast())
    static let cases: [(String, Bool)] = [
        ("sha256:" + digits, true), ("sha256:" + digits.uppercased(), true), (digits, false), ("sha1:" + digits, false),
        ("sha256:" + short, false), ("sha256:" + digits + "0", false), ("sha256:" + short + "g", false),
        ("SHA256:" + digits, false), ("", false),
    ]

    @Test(arguments: cases)
    func parsesOnlySha256AndSixtyFourHexDigits(text: String, valid: Bool) {
        let pin = CAPin(text: text)
        #expect((pin != nil) == valid)
        if let pin { #expect(pin.description == "sha256:" + Self.digits) }
    }

    /// The operator's way (Docs/CERTIFICATES.md) gives the same pin.
    @Test func pinIsTheSha256OfTheSubjectPublicKeyInfoAsOpenSSLComputesIt() throws {
        let directory = TemporaryDirectory()
        let ca = try CertificateAuthority.initialize(directory: directory.path)
        let pins = try CAPin.pins(ofCertificateFile: ca.certificate)
        #expect(pins.count == 1)
        _ = try OpenSSLCommand.run(["x509", "-in", ca.certificate, "-noout", "-pubkey", "-out", "pub.pem"], in: directory.path)
        _ = try OpenSSLCommand.run(["pkey", "-pubin", "-in", "pub.pem", "-outform", "DER", "-out", "pub.der"], in: directory.path)
        let digest = try OpenSSLCommand.run(["dgst", "-sha256", "-r", "pub.der"], in: directory.path)
        let hex = String(digest.output.prefix(64))
        #expect(pins.first?.description == "sha256:" + hex)
        let other = try CertificateAuthority.initialize(directory: TemporaryDirectory().path)
        #expect(try CAPin.pins(ofCertificateFile: other.certificate) != pins)
    }

    /// The bundle a coordinator shows an enrolling agent gives the pins of the same file, each CA's.
    @Test func aBundleShownGivesThePinsOfEachCertificateInIt() throws {
        let first = try CertificateAuthority.initialize(directory: TemporaryDirectory().path)
        let second = try CertificateAuthority.initialize(directory: TemporaryDirectory().path)
        let bundle = Array(try #require(FileManager.default.contents(atPath: first.certificate)))
            + Array(try #require(FileManager.default.contents(atPath: second.certificate)))
        let pins = try CAPin.pins(ofBundle: bundle)
        #expect(pins == (try CAPin.pins(ofCertificateFile: first.certificate)) + (try CAPin.pins(ofCertificateFile: second.certificate)))
        #expect(throws: CertificateError.self) { _ = try CAPin.pins(ofBundle: Array("not a certificate".utf8)) }
    }
}
