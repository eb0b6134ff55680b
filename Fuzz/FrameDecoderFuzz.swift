// libFuzzer entry point for FrameDecoder, compiled together with Sources/Wire into one module
// (see Scripts/fuzz). The first input byte seeds the piece sizes, so the incremental paths
// are exercised; the rest is the stream. A broken bound or a runaway loop traps.

/// Frames larger than this are rejected, so the oversize path is reachable by small inputs.
private let frameSizeMaximumBytes = 1024
/// The largest piece handed to `append` at once.
private let pieceMaximumBytes = 64

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = UnsafeBufferPointer(start: data, count: size)
    guard let seed = input.first else { return 0 }
    var pieceSizes = FuzzPieceSizes(seed: seed, pieceMaximumBytes: pieceMaximumBytes)
    var decoder = FrameDecoder(frameSizeMaximumBytes: frameSizeMaximumBytes, supportedVersions: 1...2)
    var offset = 1
    while offset < size {
        let end = min(size, offset + pieceSizes.next())
        decoder.append(input[offset..<end])
        guard drain(&decoder, pieceBytes: end - offset) else { return 0 }
        offset = end
    }
    return 0
}

/// False once the decoder failed. Traps when a drain produces more frames than the bytes
/// allow or leaves more buffered than one frame.
private func drain(_ decoder: inout FrameDecoder, pieceBytes: Int) -> Bool {
    let framesPerPieceMaximum = pieceBytes / Frame.headerBytes + 1
    for _ in 0...framesPerPieceMaximum {
        do {
            guard let frame = try decoder.next() else {
                precondition(decoder.bufferedBytes < Frame.lengthFieldBytes + frameSizeMaximumBytes, "decoder buffer exceeds one frame")
                return true
            }
            precondition(frame.payload.count + Frame.lengthCoveredHeaderBytes <= frameSizeMaximumBytes, "decoder returned an oversized frame")
        } catch {
            return false
        }
    }
    preconditionFailure("decoder produced more frames than the bytes can hold")
}
