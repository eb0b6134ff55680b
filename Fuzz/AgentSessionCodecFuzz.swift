// libFuzzer entry point for the agent session messages (hello, welcome, redirect, command,
// command result), the enrollment messages (authority, request, answer) and the certificate
// renewal request (which must also encode to the bytes they came from), linked with the
// fuzzer-instrumented Telemetry module (Scripts/fuzz builds each module once). The first input
// byte picks the message; the
// rest is the payload. Whatever decodes must encode again to bytes that decode to the same
// value, and encode the same way a second time; a trap or a lossy round trip crashes.

import Telemetry

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = UnsafeBufferPointer(start: data, count: size)
    guard let selector = input.first else { return 0 }
    let payload = Array(input.dropFirst())
    switch selector % 9 {
    case 0: checkRoundTrip(payload, decode: AgentSessionCodec.decodeHello, encode: AgentSessionCodec.encode)
    case 1: checkRoundTrip(payload, decode: AgentSessionCodec.decodeWelcome, encode: AgentSessionCodec.encode)
    case 2: checkRoundTrip(payload, decode: AgentSessionCodec.decodeRedirect, encode: AgentSessionCodec.encode)
    case 3: checkRoundTrip(payload, decode: AgentSessionCodec.decodeCommand, encode: AgentSessionCodec.encode)
    case 4: checkRoundTrip(payload, canonical: true, decode: EnrollmentCodec.decodeAuthority, encode: EnrollmentCodec.encode)
    case 5: checkRoundTrip(payload, canonical: true, decode: EnrollmentCodec.decodeRequest, encode: EnrollmentCodec.encode)
    case 6: checkRoundTrip(payload, canonical: true, decode: EnrollmentCodec.decodeAnswer, encode: EnrollmentCodec.encode)
    case 7: checkRoundTrip(payload, canonical: true, decode: CertificateRenewalCodec.decodeRequest,
                           encode: CertificateRenewalCodec.encode)
    default: checkRoundTrip(payload, decode: AgentSessionCodec.decodeCommandResult, encode: AgentSessionCodec.encode)
    }
    return 0
}
