// libFuzzer entry point for every decoder in Sources/Cluster that reads a peer's bytes, linked
// with the fuzzer-instrumented Cluster module and the modules it imports (Scripts/fuzz builds
// each module once). The first input byte picks
// the decoder; the rest is the payload. Whatever decodes must encode to bytes that decode to the
// same value, and where the encoding is canonical, to the very bytes it came from.

import Cluster
import Consensus
import Primitives
import Telemetry

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = UnsafeBufferPointer(start: data, count: size)
    guard let selector = input.first else { return 0 }
    let payload = Array(input.dropFirst())
    switch selector % 9 {
    case 0: checkPeerMessage(payload)
    case 1: checkMembership(payload)
    case 2: checkClusterRequest(payload)
    case 3: checkGatewayQuery(payload)
    case 4: checkTransferHeader(payload)
    case 5: checkTransferChunk(payload)
    case 6: checkTransferEnd(payload)
    case 7: checkForwardedAnswer(payload)
    default: checkStreamedAnswerContext(payload)
    }
    return 0
}

/// Memberships are stored sorted and without duplicates, so a message carrying a snapshot may
/// encode to other bytes than it came from; encoding it again must not change them further.
private func checkPeerMessage(_ payload: [UInt8]) {
    checkRoundTrip(payload, canonical: false, decode: PeerMessageCodec.decode, encode: PeerMessageCodec.encode)
    guard let message = try? PeerMessageCodec.decode(payload) else { return }
    precondition(message.entries.count <= PeerMessageCodec.entriesPerMessageMaximum, "decoder returned more entries than the limit")
    let encoded = PeerMessageCodec.encode(message)
    precondition((try? PeerMessageCodec.decode(encoded)).map(PeerMessageCodec.encode) == encoded, "re-encoding is not stable")
}

private func checkMembership(_ payload: [UInt8]) {
    checkRoundTrip(payload, canonical: false, decode: MembershipCodec.decode, encode: MembershipCodec.encode)
}

private func decodeWhole<Value>(_ payload: [UInt8],
                                _ decode: (inout BinaryReader) throws(BinaryDecodingError) -> Value) throws(BinaryDecodingError) -> Value {
    var reader = BinaryReader(payload)
    let value = try decode(&reader)
    try reader.expectEnd()
    return value
}

private func checkClusterRequest(_ payload: [UInt8]) {
    checkRoundTrip(payload, canonical: true, decode: { bytes throws(BinaryDecodingError) in
        try decodeWhole(bytes, ClusterRequest.decode)
    }, encode: \.encoded)
}

private func checkGatewayQuery(_ payload: [UInt8]) {
    checkRoundTrip(payload, canonical: true, decode: { bytes throws(BinaryDecodingError) in
        try decodeWhole(bytes, GatewayQuery.decode)
    }, encode: { query in
        var writer = BinaryWriter()
        query.encode(to: &writer)
        return writer.bytes
    })
}

private func checkTransferHeader(_ payload: [UInt8]) {
    checkRoundTrip(payload, canonical: true, decode: TransferCodec.decodeHeader, encode: TransferCodec.encode)
}

private func checkTransferChunk(_ payload: [UInt8]) {
    checkRoundTrip(payload, canonical: true, decode: TransferCodec.decodeChunk, encode: TransferCodec.encode)
}

private func checkTransferEnd(_ payload: [UInt8]) {
    checkRoundTrip(payload, canonical: true, decode: TransferCodec.decodeEnd, encode: TransferCodec.encodeEnd)
}

/// A node record's labels are written sorted by key, so an answer carrying one may encode to
/// other bytes than it came from; encoding it again must not change them further.
private func checkForwardedAnswer(_ payload: [UInt8]) {
    checkRoundTrip(payload, canonical: false, decode: ForwardedAnswer.decode, encode: \.encoded)
}

private func checkStreamedAnswerContext(_ payload: [UInt8]) {
    checkRoundTrip(payload, canonical: true, decode: ForwardedAnswer.decodeStreamedContext,
                   encode: { ForwardedAnswer.streamedContext(requestID: $0) })
}
