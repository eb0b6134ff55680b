// libFuzzer entry point for the fleet codec (Raft log entries and snapshots), linked with the
// fuzzer-instrumented Fleet module and the modules it imports (Scripts/fuzz builds each module
// once). The first input byte picks the decoder (even: a command, odd: the whole state);
// the rest is the payload. Whatever decodes must encode again to bytes that decode to the same
// value, and encode the same way a second time; a trap or a lossy round trip crashes.

import Fleet
import Primitives

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = UnsafeBufferPointer(start: data, count: size)
    guard let selector = input.first else { return 0 }
    let payload = Array(input.dropFirst())
    if selector % 2 == 0 {
        checkRoundTrip(payload, decode: FleetCodec.decodeCommand, encode: FleetCodec.encode)
    } else {
        let decodeState = { (bytes: [UInt8]) throws(BinaryDecodingError) in try FleetCodec.decodeState(bytes) }
        checkRoundTrip(payload, decode: decodeState, encode: FleetCodec.encode)
    }
    return 0
}
