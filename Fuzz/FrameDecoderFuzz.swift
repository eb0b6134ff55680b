// libFuzzer entry point for FrameDecoder, compiled together with Sources/Wire into one module
// (see Scripts/fuzz). The first input byte seeds the piece sizes, so the incremental paths
// are exercised; the rest is the stream. A broken bound or a runaway loop traps, and so does a
// broken property: the stream fed in pieces decodes to the same frames, and fails at the same
// frame, as the stream fed whole, and every frame decoded encodes again to exactly the bytes
// it was decoded from.

/// Frames larger than this are rejected, so the oversize path is reachable by small inputs.
private let frameSizeMaximumBytes = 1024
/// The largest piece handed to `append` at once.
private let pieceMaximumBytes = 64

/// What a stream decoded to: its frames in order, and whether decoding stopped on an error.
private struct Decoded: Equatable {
    var frames: [Frame] = []
    var failed = false
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = UnsafeBufferPointer(start: data, count: size)
    guard let seed = input.first else { return 0 }
    let stream = input[1...]
    var pieceSizes = FuzzPieceSizes(seed: seed, pieceMaximumBytes: pieceMaximumBytes)
    var inPieces = FrameDecoder(frameSizeMaximumBytes: frameSizeMaximumBytes, supportedVersions: 1...2)
    var pieced = Decoded()
    var offset = stream.startIndex
    while offset < stream.endIndex, !pieced.failed {
        let end = min(stream.endIndex, offset + pieceSizes.next())
        inPieces.append(stream[offset..<end])
        drain(&inPieces, pieceBytes: end - offset, into: &pieced)
        offset = end
    }
    var whole = FrameDecoder(frameSizeMaximumBytes: frameSizeMaximumBytes, supportedVersions: 1...2)
    var wholeDecoded = Decoded()
    whole.append(stream)
    drain(&whole, pieceBytes: stream.count, into: &wholeDecoded)
    precondition(pieced == wholeDecoded, "the stream decodes differently in pieces than whole")
    var encoded: [UInt8] = []
    for frame in wholeDecoded.frames { encoded += FrameCodec.encode(frame) }
    precondition(stream.starts(with: encoded), "a decoded frame encodes to other bytes than it came from")
    return 0
}

/// Appends every frame the decoder has to `decoded`, and notes a failure. Traps when a drain
/// produces more frames than the bytes allow or leaves more buffered than one frame.
private func drain(_ decoder: inout FrameDecoder, pieceBytes: Int, into decoded: inout Decoded) {
    let framesPerPieceMaximum = pieceBytes / Frame.headerBytes + 1
    for _ in 0...framesPerPieceMaximum {
        do {
            guard let frame = try decoder.next() else {
                precondition(decoder.bufferedBytes < Frame.lengthFieldBytes + frameSizeMaximumBytes, "decoder buffer exceeds one frame")
                return
            }
            precondition(frame.payload.count + Frame.lengthCoveredHeaderBytes <= frameSizeMaximumBytes,
                         "decoder returned an oversized frame")
            decoded.frames.append(frame)
        } catch {
            decoded.failed = true
            return
        }
    }
    preconditionFailure("decoder produced more frames than the bytes can hold")
}
