import Primitives
import Testing

@testable import Telemetry

@Suite struct EnrollmentCodecTests {
    static let request = EnrollmentRequest(token: Array("0123456789ab.00".utf8), nodeName: "node-1", environment: "production",
                                           certificateRequestDER: [0x30, 0x82, 0x01])

    @Test func everyMessageRoundTripsToTheSameBytes() throws {
        let authority = EnrollmentAuthority(authorityPEM: Array("-----BEGIN CERTIFICATE-----\n".utf8))
        let authorityBytes = EnrollmentCodec.encode(authority)
        #expect(try EnrollmentCodec.decodeAuthority(authorityBytes) == authority)
        let requestBytes = EnrollmentCodec.encode(Self.request)
        #expect(try EnrollmentCodec.decodeRequest(requestBytes) == Self.request)
        #expect(EnrollmentCodec.encode(try EnrollmentCodec.decodeRequest(requestBytes)) == requestBytes)
        let renewal = EnrollmentRequest(token: [], nodeName: "node-1", environment: "qa", certificateRequestDER: [1])
        #expect(try EnrollmentCodec.decodeRequest(EnrollmentCodec.encode(renewal)) == renewal)
        for answer in [EnrollmentAnswer.issued(certificatePEM: [1, 2], authorityPEM: [3]), .refused("the join token is not valid")] {
            #expect(try EnrollmentCodec.decodeAnswer(EnrollmentCodec.encode(answer)) == answer)
        }
    }

    @Test func everyTruncationAndTrailingByteIsRefused() {
        let bytes = EnrollmentCodec.encode(Self.request)
        for length in 0..<bytes.count {
            #expect(throws: BinaryDecodingError.self) { try EnrollmentCodec.decodeRequest(Array(bytes.prefix(length))) }
        }
        #expect(throws: BinaryDecodingError.self) { try EnrollmentCodec.decodeRequest(bytes + [0]) }
        #expect(throws: BinaryDecodingError.unsupportedVersion(2)) { try EnrollmentCodec.decodeRequest([2] + bytes.dropFirst()) }
    }

    static let refused: [(String, [UInt8])] = [
        ("an empty request", EnrollmentCodec.encode(EnrollmentRequest(token: [1], nodeName: "n", environment: "e",
                                                                       certificateRequestDER: []))),
        ("a request over 4096 bytes", EnrollmentCodec.encode(EnrollmentRequest(
            token: [1], nodeName: "n", environment: "e", certificateRequestDER: [UInt8](repeating: 1, count: 4_097)))),
        ("a token over 256 bytes", EnrollmentCodec.encode(EnrollmentRequest(
            token: [UInt8](repeating: 1, count: 257), nodeName: "n", environment: "e", certificateRequestDER: [1]))),
        ("a name over 64 bytes", EnrollmentCodec.encode(EnrollmentRequest(
            token: [1], nodeName: String(repeating: "n", count: 65), environment: "e", certificateRequestDER: [1]))),
    ]

    @Test(arguments: refused)
    func anOutOfBoundRequestIsRefused(reason: String, bytes: [UInt8]) {
        #expect(throws: BinaryDecodingError.self, "\(reason)") { try EnrollmentCodec.decodeRequest(bytes) }
    }

    @Test func anUnknownAnswerKindOrAnEmptyCertificateIsRefused() {
        #expect(throws: BinaryDecodingError.self) { try EnrollmentCodec.decodeAnswer([1, 3]) }
        #expect(throws: BinaryDecodingError.self) {
            try EnrollmentCodec.decodeAnswer(EnrollmentCodec.encode(.issued(certificatePEM: [], authorityPEM: [1])))
        }
        #expect(throws: BinaryDecodingError.self) { try EnrollmentCodec.decodeAuthority([1, 0, 0, 0, 0]) }
    }
}
