import Primitives
import Testing

@testable import Telemetry

@Suite struct CertificateRenewalCodecTests {
    @Test func aRequestRoundTripsToTheSameBytes() throws {
        let request = CertificateRenewalRequest(certificateRequestDER: [0x30, 0x82, 0x01, 0x02])
        let bytes = CertificateRenewalCodec.encode(request)
        #expect(try CertificateRenewalCodec.decodeRequest(bytes) == request)
        #expect(CertificateRenewalCodec.encode(try CertificateRenewalCodec.decodeRequest(bytes)) == bytes)
    }

    @Test func everyTruncationTrailingByteAndOtherVersionIsRefused() {
        let bytes = CertificateRenewalCodec.encode(CertificateRenewalRequest(certificateRequestDER: [1, 2, 3]))
        for length in 0..<bytes.count {
            #expect(throws: BinaryDecodingError.self) { try CertificateRenewalCodec.decodeRequest(Array(bytes.prefix(length))) }
        }
        #expect(throws: BinaryDecodingError.self) { try CertificateRenewalCodec.decodeRequest(bytes + [0]) }
        #expect(throws: BinaryDecodingError.unsupportedVersion(2)) {
            try CertificateRenewalCodec.decodeRequest([2] + bytes.dropFirst())
        }
    }

    @Test(arguments: [0, EnrollmentLimits.certificateRequestBytesMaximum + 1])
    func refusesAnEmptyOrOversizedRequest(count: Int) {
        let bytes = CertificateRenewalCodec.encode(CertificateRenewalRequest(certificateRequestDER: [UInt8](repeating: 1, count: count)))
        #expect(throws: BinaryDecodingError.self) { try CertificateRenewalCodec.decodeRequest(bytes) }
    }

    @Test func randomBytesNeverTrapTheDecoder() {
        var generator = SplitMix64(seed: 0x7265_6E65_77)
        for _ in 0..<2_000 {
            let count = Int(generator.next() % 24)
            let bytes = (0..<count).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
            _ = try? CertificateRenewalCodec.decodeRequest(bytes)
        }
    }
}

@Suite struct CertificateRenewalWindowTests {
    /// A 30-day certificate backdated 5 minutes: issued 300 s after notBefore, renewable in its last 10 days.
    @Test func opensForTheLastThirdOfTheLifetimeCountedFromTheIssue() {
        let day: Int64 = 86_400
        let window = CertificateRenewalWindow(notBeforeSeconds: 1_000_000 - 300, notAfterSeconds: 1_000_000 + 30 * day,
                                              backdatingSeconds: 300)
        #expect(window.issuedAtSeconds == 1_000_000)
        #expect(window.opensAtSeconds == 1_000_000 + 20 * day)
        #expect(!window.isOpen(atSeconds: 1_000_000))
        #expect(!window.isOpen(atSeconds: 1_000_000 + 20 * day - 1))
        #expect(window.isOpen(atSeconds: 1_000_000 + 20 * day))
        #expect(window.isOpen(atSeconds: 1_000_000 + 30 * day - 1))
        #expect(!window.isOpen(atSeconds: 1_000_000 + 30 * day))
    }

    /// Without counting from the issue, a 60-second certificate backdated 300 s would be renewable at
    /// once, and every renewed one again: the window would never close.
    @Test func aShortCertificateIsNotRenewableWhenIssued() {
        let window = CertificateRenewalWindow(notBeforeSeconds: 500 - 300, notAfterSeconds: 560, backdatingSeconds: 300)
        #expect(window.opensAtSeconds == 540)
        #expect(!window.isOpen(atSeconds: 500))
        #expect(window.isOpen(atSeconds: 540))
    }

    @Test func aCertificateShorterThanItsBackdatingCountsFromNotBefore() {
        let window = CertificateRenewalWindow(notBeforeSeconds: 0, notAfterSeconds: 90, backdatingSeconds: 300)
        #expect(window.issuedAtSeconds == 0)
        #expect(window.opensAtSeconds == 60)
    }

    @Test(arguments: [(Int64(100), Int64(100)), (Int64(100), Int64(50)), (Int64.max - 10, Int64.max)])
    func anEmptyReversedOrExtremeValidityNeverTraps(notBefore: Int64, notAfter: Int64) {
        let window = CertificateRenewalWindow(notBeforeSeconds: notBefore, notAfterSeconds: notAfter, backdatingSeconds: 300)
        #expect(!window.isOpen(atSeconds: notAfter))
        #expect(window.opensAtSeconds <= max(notAfter, notBefore))
    }

    /// The first ask is jittered over the first half of the window only, so every agent keeps half of it to retry.
    @Test func theStartIsInTheFirstHalfOfTheWindow() {
        let window = CertificateRenewalWindow(notBeforeSeconds: 500 - 300, notAfterSeconds: 560, backdatingSeconds: 300)
        #expect(window.startSeconds(jitter: 0) == 540)
        #expect(window.startSeconds(jitter: 0.5) == 545)
        #expect(window.startSeconds(jitter: 1) == 550)
        #expect(window.startSeconds(jitter: 7) == 550)
        let empty = CertificateRenewalWindow(notBeforeSeconds: 100, notAfterSeconds: 50, backdatingSeconds: 300)
        #expect(empty.startSeconds(jitter: 1) == empty.opensAtSeconds)
    }

    /// An issued certificate the agent cannot install is retried after 1 min, 2, 4 ... up to 1 h, jittered down to half.
    @Test func aLocalFailureBacksOffExponentiallyUpToTheCap() {
        func delay(_ failures: Int, _ jitter: Double) -> Int64 {
            CertificateRenewalWindow.failureDelaySeconds(failures: failures, firstSeconds: 60, maximumSeconds: 3_600, jitter: jitter)
        }
        #expect(delay(1, 1) == 60)
        #expect(delay(1, 0) == 30)
        #expect(delay(2, 1) == 120)
        #expect(delay(3, 1) == 240)
        #expect(delay(7, 1) == 3_600)
        #expect(delay(1_000, 1) == 3_600)
        #expect(delay(1_000, 0) == 1_800)
        #expect(delay(0, 1) == 60)
    }
}
