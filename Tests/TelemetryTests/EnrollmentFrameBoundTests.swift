import Primitives
import Telemetry
import Testing
import Wire

/// The bound on what a connection without a certificate may send holds every request the codec
/// decodes, so no legitimate enrollment is refused for its size.
@Suite struct EnrollmentFrameBoundTests {
    @Test func theLargestDecodableRequestFitsTheFrameBound() throws {
        let request = EnrollmentRequest(token: [UInt8](repeating: 0x61, count: EnrollmentLimits.tokenBytesMaximum),
                                        nodeName: String(repeating: "n", count: AgentSessionLimits.nameBytesMaximum),
                                        environment: String(repeating: "e", count: AgentSessionLimits.nameBytesMaximum),
                                        certificateRequestDER: [UInt8](repeating: 0x30,
                                                                       count: EnrollmentLimits.certificateRequestBytesMaximum))
        let payload = EnrollmentCodec.encode(request)
        #expect(try EnrollmentCodec.decodeRequest(payload) == request)
        let frame = Frame(kind: FrameKind.enrollmentRequest.rawValue, payload: payload)
        #expect(frame.declaredBytes == 4_499)
        #expect(frame.declaredBytes <= EnrollmentLimits.requestFrameBytesMaximum)
    }
}
