// libFuzzer entry point for the agent report codec, linked with the fuzzer-instrumented
// Telemetry module (Scripts/fuzz builds each module once). The first input byte picks the decoder
// (even: report, odd: acknowledgement); the rest is the payload. Whatever decodes must encode
// again and decode to the same value; a broken bound, a trap or a lossy round trip crashes.

import Telemetry

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = UnsafeBufferPointer(start: data, count: size)
    guard let selector = input.first else { return 0 }
    let payload = Array(input.dropFirst())
    if selector % 2 == 0 {
        checkReport(payload)
    } else {
        checkAck(payload)
    }
    return 0
}

private func checkReport(_ payload: [UInt8]) {
    guard let report = try? ReportCodec.decodeReport(payload) else { return }
    precondition(report.samples.count <= ReportLimits.samplesMaximum, "decoder returned more samples than the limit")
    precondition(report.samples.isEmpty || report.lastSequence != nil, "decoder returned a sequence range past UInt64.max")
    let encoded: [UInt8]
    do {
        encoded = try ReportCodec.encode(report)
    } catch {
        preconditionFailure("a decoded report does not encode: \(error)")
    }
    precondition(encoded.count <= payload.count, "re-encoding made the report longer than the bytes it came from")
    precondition((try? ReportCodec.decodeReport(encoded)) == report, "report changed in a round trip")
}

private func checkAck(_ payload: [UInt8]) {
    guard let ack = try? ReportCodec.decodeAck(payload) else { return }
    let encoded = ReportCodec.encode(ack)
    precondition(encoded == payload, "an acknowledgement has a second encoding")
}
